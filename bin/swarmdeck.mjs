#!/usr/bin/env node
// `npx swarmdeck …`: run the TypeScript server through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../server/main.ts');
