#!/usr/bin/env node
// The `homelab` command (`npx homelab` after `npm ci`): runs src/main.ts in this same process
// through tsx's loader, so Ctrl-C, SIGTERM and SIGHUP reach main.ts's own handlers and its exit
// code is the process's; a child process would have to forward both.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
