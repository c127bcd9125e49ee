'use client';

import { useMutation } from '@tanstack/react-query';
import type { CreateServiceForm, CreatedBody } from '@/server/api/console';
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
