'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  AccountBody,
  ChangePasswordBody,
  CreateAccountBody,
  CreatedShareLinkBody,
  CreateShareLinkBody,
  LoginBody,
  SessionBody,
  SetupBody,
  SetupStatusBody,
  ShareLinkBody,
  UpdateAccountBody,
} from '@/server/api/auth';
import { getJson, sendJson } from '../api/client';

// The console auth contract (CONTRACT12): login, setup, accounts and share links.

export const ACCOUNTS_KEY = ['accounts'] as const;
export const SHARE_LINKS_KEY = ['share-links'] as const;

export const login = (body: LoginBody) => sendJson<SessionBody>('POST', '/api/session', body);
export const logout = () => sendJson<object>('DELETE', '/api/session');
export const setupStatus = () => getJson<SetupStatusBody>('/api/setup');
export const setup = (body: SetupBody) => sendJson<SessionBody>('POST', '/api/setup', body);

export const useChangePassword = () =>
  useMutation({ mutationFn: (body: ChangePasswordBody) => sendJson<object>('POST', '/api/session/password', body) });

export const useAccounts = () =>
  useQuery({ queryKey: ACCOUNTS_KEY, queryFn: () => getJson<AccountBody[]>('/api/accounts') });

/** A mutation that refetches `key` when it succeeds. */
function useListMutation<V, R>(key: readonly string[], fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: key }) });
}

const accountPath = (id: string) => `/api/accounts/${encodeURIComponent(id)}`;

export const useCreateAccount = () =>
  useListMutation(ACCOUNTS_KEY, (body: CreateAccountBody) => sendJson<AccountBody>('POST', '/api/accounts', body));
export const useUpdateAccount = (id: string) =>
  useListMutation(ACCOUNTS_KEY, (body: UpdateAccountBody) => sendJson<AccountBody>('POST', accountPath(id), body));
export const useDeleteAccount = (id: string) =>
  useListMutation(ACCOUNTS_KEY, () => sendJson<object>('DELETE', accountPath(id)));

export const useShareLinks = () =>
  useQuery({
    queryKey: SHARE_LINKS_KEY,
    queryFn: () => getJson<ShareLinkBody[]>('/api/share-links'),
    // "last used" moves while a wall shows the link; nothing pushes it
    refetchInterval: 30_000,
  });
export const useCreateShareLink = () =>
  useListMutation(SHARE_LINKS_KEY, (body: CreateShareLinkBody) =>
    sendJson<CreatedShareLinkBody>('POST', '/api/share-links', body),
  );
export const useRevokeShareLink = (id: string) =>
  useListMutation(SHARE_LINKS_KEY, () => sendJson<object>('DELETE', `/api/share-links/${encodeURIComponent(id)}`));
