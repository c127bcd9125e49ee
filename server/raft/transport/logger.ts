// The transport's log sink. Messages never include tokens or keys:
// credentials only ever travel in the Authorization header, which is not logged.

export interface TransportLogger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const noop = () => {};

export const consoleTransportLogger: TransportLogger = {
  debug: noop,
  info: noop,
  warn: (m) => console.warn(`raft transport: ${m}`),
  error: (m) => console.error(`raft transport: ${m}`),
};

export const silentTransportLogger: TransportLogger = { debug: noop, info: noop, warn: noop, error: noop };
