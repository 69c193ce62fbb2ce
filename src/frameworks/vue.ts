/**
 * `dyte-recording-kit/vue` (types only): the tags in Vue's `GlobalComponents`, so `vue-tsc` checks
 * their attributes, properties and `@dyte-recording-…` handlers in templates (with
 * `vueCompilerOptions.strictTemplates`, misspelled tags too). Load it once:
 * `import type {} from 'dyte-recording-kit/vue'`.
 */
import type { EmitFn, HTMLAttributes } from 'vue';
import type { KitElements } from './elements.ts';

type Capitalized<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${Capitalized<Tail>}`
  : Capitalize<S>;

/** A custom element as Vue's template checker sees a component: its props and its emits. */
type VueElement<T extends KitElements[keyof KitElements]> = new () => T['element'] & {
  /** For template type checking only. */
  $props: HTMLAttributes &
    Partial<Pick<T['element'], Extract<T['properties'], keyof T['element']>>> & {
      [K in keyof T['events'] as `on${Capitalized<K & string>}`]?: (event: T['events'][K]) => void;
    };
  /** For template type checking only. */
  $emit: EmitFn<{ [K in keyof T['events']]: (event: T['events'][K]) => void }>;
};

declare module 'vue' {
  interface GlobalComponents {
    'dyte-record-button': VueElement<KitElements['dyte-record-button']>;
    'dyte-recording-status': VueElement<KitElements['dyte-recording-status']>;
    'dyte-recording-list': VueElement<KitElements['dyte-recording-list']>;
    'dyte-recording-notice': VueElement<KitElements['dyte-recording-notice']>;
  }
}
