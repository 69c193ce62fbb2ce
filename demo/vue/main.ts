/** The Vue demo page: the kit's elements used directly in a Vue template (see App.vue). */
import { createApp } from 'vue';
import 'dyte-recording-kit';
import { loadDemoPage } from '../shared/demo.ts';
import App from './App.vue';

createApp(App, { page: await loadDemoPage() }).mount('#app');
