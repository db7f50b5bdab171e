#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx circuit-workbench` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
