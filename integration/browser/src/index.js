// A small page assembled from JupyterLab's published widgets, wired the way
// JupyterLab's own examples/filebrowser and examples/notebook wire them: a
// file browser with its upload button, a text editor and a notebook panel,
// all talking to the contents API named by the page's PageConfig (baseUrl
// and token). The browser test drives it with Playwright; nothing here
// knows about S3.
import './style.js';

import { CommandRegistry } from '@lumino/commands';
import { DockPanel, FocusTracker, SplitPanel, Widget } from '@lumino/widgets';
import { ServiceManager } from '@jupyterlab/services';
import { ToolbarButton } from '@jupyterlab/apputils';
import {
  CodeMirrorEditorFactory,
  CodeMirrorMimeTypeService,
  EditorExtensionRegistry,
  EditorLanguageRegistry,
  EditorThemeRegistry,
  ybinding
} from '@jupyterlab/codemirror';
import { DocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { FileBrowser, FileBrowserModel, Uploader } from '@jupyterlab/filebrowser';
import { FileEditorFactory } from '@jupyterlab/fileeditor';
import {
  NotebookModelFactory,
  NotebookPanel,
  NotebookWidgetFactory,
  StaticNotebook
} from '@jupyterlab/notebook';
import {
  RenderMimeRegistry,
  standardRendererFactories
} from '@jupyterlab/rendermime';

function editorServices() {
  const languages = new EditorLanguageRegistry();
  for (const lang of EditorLanguageRegistry.getDefaultLanguages()) {
    languages.addLanguage(lang);
  }
  const extensions = new EditorExtensionRegistry();
  const themes = new EditorThemeRegistry();
  for (const theme of EditorThemeRegistry.getDefaultThemes()) {
    themes.addTheme(theme);
  }
  for (const ext of EditorExtensionRegistry.getDefaultExtensions({ themes })) {
    extensions.addExtension(ext);
  }
  // The shared-model binding is what puts the editor's text into the
  // document model that the context saves; JupyterLab's codemirror
  // extension registers it the same way.
  extensions.addExtension({
    name: 'shared-model-binding',
    factory: options => {
      const sharedModel = options.model.sharedModel;
      return EditorExtensionRegistry.createImmutableExtension(
        ybinding({ ytext: sharedModel.ysource, undoManager: sharedModel.undoManager ?? undefined })
      );
    }
  });
  return {
    factoryService: new CodeMirrorEditorFactory({ extensions, languages }),
    mimeTypeService: new CodeMirrorMimeTypeService(languages)
  };
}

async function main() {
  // Only the contents service matters here; the page's server answers the
  // kernel, session and terminal listings with empty lists.
  const manager = new ServiceManager({ standby: 'when-hidden' });
  await manager.ready;

  const commands = new CommandRegistry();
  const dock = new DockPanel();
  dock.id = 'dock';
  // Ctrl+S saves the document whose widget had the focus last.
  const focus = new FocusTracker();
  const opener = {
    open: widget => {
      if (!widget.isAttached) {
        dock.addWidget(widget, { mode: 'tab-after' });
        focus.add(widget);
      }
      dock.activateWidget(widget);
    },
    get opened() {
      return { connect: () => false, disconnect: () => false };
    }
  };

  const registry = new DocumentRegistry();
  const docManager = new DocumentManager({ registry, manager, opener });
  const services = editorServices();

  registry.addWidgetFactory(
    new FileEditorFactory({
      editorServices: services,
      factoryOptions: {
        name: 'Editor',
        modelName: 'text',
        fileTypes: ['*'],
        defaultFor: ['*'],
        preferKernel: false,
        canStartKernel: false
      }
    })
  );

  const rendermime = new RenderMimeRegistry({
    initialFactories: standardRendererFactories
  });
  registry.addModelFactory(new NotebookModelFactory({}));
  registry.addWidgetFactory(
    new NotebookWidgetFactory({
      name: 'Notebook',
      modelName: 'notebook',
      fileTypes: ['notebook'],
      defaultFor: ['notebook'],
      preferKernel: false,
      canStartKernel: false,
      rendermime,
      contentFactory: new NotebookPanel.ContentFactory({
        editorFactory: services.factoryService.newInlineEditor
      }),
      mimeTypeService: services.mimeTypeService,
      editorConfig: StaticNotebook.defaultEditorConfig,
      notebookConfig: StaticNotebook.defaultNotebookConfig
    })
  );

  const model = new FileBrowserModel({ manager: docManager });
  const browser = new FileBrowser({ id: 'filebrowser', model });

  const button = (name, label, onClick) => {
    const b = new ToolbarButton({ label, onClick, className: 'j3-' + name });
    browser.toolbar.addItem(name, b);
  };
  browser.toolbar.addItem('upload', new Uploader({ model }));
  button('new-file', 'New file', async () => {
    const m = await docManager.newUntitled({ type: 'file', ext: '.txt', path: model.path });
    docManager.open(m.path);
  });
  button('new-notebook', 'New notebook', async () => {
    const m = await docManager.newUntitled({ type: 'notebook', path: model.path });
    docManager.open(m.path, 'Notebook');
  });
  button('open', 'Open', () => {
    for (const item of browser.selectedItems()) {
      docManager.openOrReveal(item.path);
    }
  });
  button('rename', 'Rename', () => browser.rename());
  button('delete', 'Delete', () => browser.delete());
  button('download', 'Download', () => browser.download());

  commands.addCommand('save', {
    execute: () => {
      const widget = focus.currentWidget;
      const context = widget && docManager.contextForWidget(widget);
      return context ? context.save() : undefined;
    }
  });
  commands.addKeyBinding({ keys: ['Accel S'], selector: 'body', command: 'save' });
  document.addEventListener('keydown', e => commands.processKeydownEvent(e), true);

  const panel = new SplitPanel();
  panel.id = 'main';
  panel.addWidget(browser);
  panel.addWidget(dock);
  SplitPanel.setStretch(browser, 0);
  SplitPanel.setStretch(dock, 1);
  Widget.attach(panel, document.body);
  // Wide enough for the toolbar's labelled buttons on one line.
  panel.setRelativeSizes([9, 11]);
  window.addEventListener('resize', () => panel.update());

  // The test reads state through these; every action goes through the UI.
  window.j3 = { docManager, browser, model, dock };
  document.body.dataset.ready = 'true';
}

window.addEventListener('load', () => {
  main().catch(err => {
    document.body.dataset.error = String(err && err.stack ? err.stack : err);
    console.error(err);
  });
});
