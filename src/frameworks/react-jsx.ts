/**
 * `dyte-recording-kit/react-jsx` (types only): the tags in React 19's JSX, e.g.
 * `<dyte-record-button meeting-id={id} endpoint="/api" ondyte-recording-error={(e) => e.detail.code} />`
 * (React 19 sets `tokenProvider` as a property and adds `on<event>` props as listeners). Load it
 * once: `import type {} from 'dyte-recording-kit/react-jsx'`.
 */
import type { HTMLAttributes, RefAttributes } from 'react';
import type { KitElements } from './elements.ts';

type ReactProps<T extends KitElements[keyof KitElements]> = HTMLAttributes<T['element']> &
  RefAttributes<T['element']> &
  T['attributes'] &
  Partial<Pick<T['element'], Extract<T['properties'], keyof T['element']>>> & {
    [K in keyof T['events'] as `on${K & string}`]?: (event: T['events'][K]) => void;
  };

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'dyte-record-button': ReactProps<KitElements['dyte-record-button']>;
      'dyte-recording-status': ReactProps<KitElements['dyte-recording-status']>;
      'dyte-recording-list': ReactProps<KitElements['dyte-recording-list']>;
      'dyte-recording-notice': ReactProps<KitElements['dyte-recording-notice']>;
    }
  }
}
