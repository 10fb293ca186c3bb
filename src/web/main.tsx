import { render } from 'preact';
import './styles.css';
import { lang, t } from './i18n.js';
import { registerServiceWorker } from './service-worker.js';
import { App } from './ui/App.js';

document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
document.title = t('appName');
const root = document.getElementById('app');
if (root !== null) render(<App />, root);
registerServiceWorker();
