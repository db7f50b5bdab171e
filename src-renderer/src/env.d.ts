/// <reference types="vite/client" />

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** Exposed by src-main/preload; absent when the page is opened outside Electron. */
  readonly workbench?: import('../../src-main/preload/api').WorkbenchApi;
}
