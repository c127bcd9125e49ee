import { describe, expect, it } from 'vitest';
import { findCatalogEntry, ImageNotRunnableError, parseCatalog, parseImageRef, resolveImage } from './image-catalog';

describe('image references', () => {
  it('normalizes registry, library prefix, tag and digest away', () => {
    expect(parseImageRef('ubuntu:14.04').name).toBe('ubuntu');
    expect(parseImageRef('docker.io/library/nginx:1.25@sha256:abcd').name).toBe('nginx');
    expect(parseImageRef('localhost:5000/team/app:v1')).toEqual({
      repository: 'localhost:5000/team/app',
      name: 'team/app',
    });
    expect(parseImageRef('traefik/whoami').name).toBe('traefik/whoami');
    expect(parseImageRef('alpine@sha256:0123').name).toBe('alpine');
  });
});

describe('resolveImage', () => {
  const sh = ['/bin/sh', '-c', 'while true; do echo hello world; sleep 1; done'];

  it('runs shell images with the service command as given, or a bare shell', () => {
    expect(resolveImage({ Image: 'ubuntu:14.04', Args: sh })).toEqual({
      kind: 'exec',
      argv: sh,
      image: 'ubuntu:14.04',
    });
    expect(resolveImage({ Image: 'busybox', Command: ['/bin/sh', '-c'], Args: ['exit 3'] })).toMatchObject({
      argv: ['/bin/sh', '-c', 'exit 3'],
    });
    expect(resolveImage({ Image: 'debian:12@sha256:ff' })).toMatchObject({ kind: 'exec', argv: ['/bin/sh'] });
    expect(findCatalogEntry('alpine:3.19')?.command).toEqual(['/bin/sh']);
  });

  it('runs the built-in HTTP server for web images whatever the command', () => {
    for (const image of [
      'nginx',
      'nginx:alpine',
      'docker.io/library/nginx:1.25-alpine',
      'httpd:2.4',
      'caddy',
      'traefik/whoami:v1.10',
    ]) {
      expect(resolveImage({ Image: image, Args: ['nginx', '-g', 'daemon off;'] })).toEqual({
        kind: 'builtin',
        builtin: 'http',
        image,
      });
    }
  });

  it('runs an unknown image only when it has a command', () => {
    expect(resolveImage({ Image: 'acme/tool:1', Command: ['echo', 'hi'] })).toMatchObject({ argv: ['echo', 'hi'] });
    expect(() => resolveImage({ Image: 'foo:1' })).toThrow(ImageNotRunnableError);
    expect(() => resolveImage({ Image: 'foo:1' })).toThrow(
      /image "foo:1" has no command and is not in the image catalog/,
    );
  });

  it('searches user entries first', () => {
    const extra = parseCatalog([
      { match: 'redis*', command: ['redis-server'] },
      { match: 'nginx', command: ['true'] },
    ]);
    expect(resolveImage({ Image: 'redis:7' }, extra)).toMatchObject({ argv: ['redis-server'] });
    expect(resolveImage({ Image: 'redis:7', Args: ['redis-cli'] }, extra)).toMatchObject({ argv: ['redis-cli'] });
    expect(resolveImage({ Image: 'nginx' }, extra)).toMatchObject({ kind: 'exec', argv: ['true'] });
    expect(
      resolveImage(
        { Image: 'registry.example.com/team/web' },
        parseCatalog({ images: [{ match: 'registry.example.com/*', builtin: 'http' }] }),
      ),
    ).toMatchObject({ kind: 'builtin' });
  });

  it('validates catalog files', () => {
    expect(() => parseCatalog({})).toThrow(/expected an array/);
    expect(() => parseCatalog([{ command: ['x'] }])).toThrow(/entry 0: "match"/);
    expect(() => parseCatalog([{ match: 'x', command: [] }])).toThrow(/"command" must be a non-empty array/);
    expect(() => parseCatalog([{ match: 'x', builtin: 'ftp' }])).toThrow(/unknown builtin/);
  });
});
