// Loaded with `node --import` (see .taprc): registers the hooks that load TypeScript.
import { register } from 'node:module';

register('./typescript-hooks.mjs', import.meta.url);
