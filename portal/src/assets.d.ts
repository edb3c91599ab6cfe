// esbuild bundles the CSS the entry point imports; TypeScript only needs to know such imports exist.
declare module '*.css';
