// What an Engine API path nobody serves answers: dockerd's own `page not
// found` (404, JSON), and for the endpoint families of a container engine
// that a swarm-only engine has no use for, a hint naming the docker command
// that sent it, so `docker ps` says why instead of a bare "page not found".

/** dockerd's text for a route it does not have. */
export const PAGE_NOT_FOUND = 'page not found';

/** Endpoint families of a full engine not served here, by first path segment, and the command that uses each. */
const UNSERVED_FAMILIES: Readonly<Record<string, string>> = {
  containers: '`docker ps` (containers)',
  exec: '`docker exec`',
  images: '`docker images` (images)',
  build: '`docker build`',
  volumes: '`docker volume` (volumes)',
  plugins: '`docker plugin` (plugins)',
  session: '`docker build` (BuildKit sessions)',
  commit: '`docker commit`',
  auth: '`docker login`',
  grpc: '`docker buildx` (BuildKit)',
  system: '`docker system df`',
};

/** The 404 message for an unserved path: `page not found`, with a hint for a container-engine family. */
export function notServedMessage(path: string): string {
  const family = /^\/([^/]+)/.exec(path)?.[1];
  const command =
    family !== undefined && Object.hasOwn(UNSERVED_FAMILIES, family) ? UNSERVED_FAMILIES[family] : undefined;
  return command ? `${PAGE_NOT_FOUND}: this is a swarm-only engine; ${command} is not supported` : PAGE_NOT_FOUND;
}
