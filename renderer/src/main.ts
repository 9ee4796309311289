import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { getConnection } from './api/index';
import { attachEngine } from './stores/sync';
import './styles.css';

const connection = getConnection();
const pinia = createPinia();
const app = createApp(App, {
  pathForFile: connection.pathForFile,
  fixPrivilegedPorts: connection.fixPrivilegedPorts,
  openDialog: connection.openDialog,
});
app.use(pinia);
attachEngine(connection, pinia);
app.mount('#app');
