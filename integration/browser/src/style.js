// The widgets' own style sheets, imported the way examples/*/src/style.ts
// does, so that the page looks like JupyterLab.
import '@jupyterlab/application/style/index.css';
import '@jupyterlab/codemirror/style/index.css';
import '@jupyterlab/filebrowser/style/index.css';
import '@jupyterlab/fileeditor/style/index.css';
import '@jupyterlab/notebook/style/index.css';
import '@jupyterlab/theme-light-extension/style/theme.css';
import '@jupyterlab/theme-light-extension/style/variables.css';
import './page.css';

import { applyJupyterTheme } from '@jupyter/web-components';

// The toolbar's buttons are Jupyter web components, which take their
// colours from the theme's CSS variables once the theme is applied.
window.addEventListener('load', () => applyJupyterTheme());
