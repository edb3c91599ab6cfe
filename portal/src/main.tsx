// The portal's entry point: styles and the app, mounted into index.html's #app.
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
