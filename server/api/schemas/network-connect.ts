// network.ConnectOptions / DisconnectOptions (moby api/types/network) as
// dockerd decodes them on `POST /networks/{id}/connect|disconnect`. Only the
// container reference and Force are read: the endpoint settings never get
// used, since Swarmdeck runs no containers to connect.

import { goBool, goString, goStruct } from './go-json';
import { parseOrThrow } from './issues';

export const networkConnectSchema = goStruct(
  'ConnectOptions',
  { Container: goString().optional() },
  { pkg: 'network' },
);

export const networkDisconnectSchema = goStruct(
  'DisconnectOptions',
  { Container: goString().optional(), Force: goBool().optional() },
  { pkg: 'network' },
);

export function parseNetworkConnect(input: unknown): { Container: string } {
  const r = parseOrThrow(networkConnectSchema, input, 'network.ConnectOptions');
  return { Container: r.Container ?? '' };
}

export function parseNetworkDisconnect(input: unknown): { Container: string; Force: boolean } {
  const r = parseOrThrow(networkDisconnectSchema, input, 'network.DisconnectOptions');
  return { Container: r.Container ?? '', Force: r.Force ?? false };
}
