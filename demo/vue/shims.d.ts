// Single-file components, compiled by @vitejs/plugin-vue; their script logic lives in typed .ts files.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
