import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createApi } from './api';

const app = createApp(App);
app.use(createPinia());
app.provide('api', createApi());
app.mount('#app');
