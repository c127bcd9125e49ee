'use client';

import { useMutation } from '@tanstack/react-query';
import type {
  CreateServiceForm,
  CreatedBody,
  JoinTokensBody,
  LabelBody,
  SwarmSettingsBody,
  TokenRole,
} from '@/server/api/console';
import type { NodeAvailability } from '@/server/api/types';
import { sendJson } from './client';

// Actions only write; what they change comes back over the socket.

export const useCreateService = () =>
  useMutation({ mutationFn: (form: CreateServiceForm) => sendJson<CreatedBody>('POST', '/api/services', form) });

export const useScaleService = (id: string) =>
  useMutation({
    mutationFn: (replicas: number) => sendJson('POST', `/api/services/${encodeURIComponent(id)}/scale`, { replicas }),
  });

export const useSetImage = (id: string) =>
  useMutation({
    mutationFn: (image: string) => sendJson('POST', `/api/services/${encodeURIComponent(id)}/image`, { image }),
  });

export const useRemoveService = (id: string) =>
  useMutation({ mutationFn: () => sendJson('DELETE', `/api/services/${encodeURIComponent(id)}`) });

export const useSetAvailability = (id: string) =>
  useMutation({
    mutationFn: (availability: NodeAvailability) =>
      sendJson('POST', `/api/nodes/${encodeURIComponent(id)}/availability`, { availability }),
  });

const nodePath = (id: string) => `/api/nodes/${encodeURIComponent(id)}`;

export const useAddNodeLabel = (id: string) =>
  useMutation({ mutationFn: (label: LabelBody) => sendJson<CreatedBody>('POST', `${nodePath(id)}/labels`, label) });

export const useRemoveNodeLabel = (id: string) =>
  useMutation({
    mutationFn: (key: string) => sendJson<CreatedBody>('DELETE', `${nodePath(id)}/labels/${encodeURIComponent(key)}`),
  });

/** `docker node rm [--force]`. */
export const useRemoveNode = (id: string) =>
  useMutation({ mutationFn: (force: boolean) => sendJson('DELETE', `${nodePath(id)}${force ? '?force=true' : ''}`) });

/** `docker swarm join-token --rotate`: answers with the new tokens. */
export const useRotateJoinToken = () =>
  useMutation({
    mutationFn: (role: TokenRole) => sendJson<JoinTokensBody>('POST', '/api/swarm/join-tokens/rotate', { role }),
  });

/** Swarmdeck's cluster settings (the replica limit, the spec history kept), stored as cluster labels. */
export const useSaveSwarmSettings = () =>
  useMutation({ mutationFn: (body: SwarmSettingsBody) => sendJson('POST', '/api/swarm/settings', body) });
