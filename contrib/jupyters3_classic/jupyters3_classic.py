"""A read-only contents manager for the classic notebook that asks jupyters3.

The classic notebook (notebook 6, or nbclassic) renders its pages on the
server: /notebooks/<path>, /edit/<path> and /tree/<folder> first ask the
notebook server's own contents manager whether the file or folder exists,
and answer 404 when it does not. When a proxy sends /user/<name>/api/contents
and /user/<name>/files to jupyters3, the files live in S3 and the notebook
server's default manager, which looks at its local disk, knows none of them.

This manager answers those questions by calling jupyters3's contents API
with the standard library. It never writes: the browser's own API calls
(save, rename, upload, checkpoints) are routed by the proxy to jupyters3, so
the notebook server has no reason to, and a write here is refused rather
than silently landing on the notebook server's disk.

Configuration (traitlets or environment):

    c.NotebookApp.contents_manager_class = "jupyters3_classic.JupyterS3ContentsManager"
    c.JupyterS3ContentsManager.url = "http://127.0.0.1:8888/user/alice/"  # or $JUPYTERS3_URL
    c.JupyterS3ContentsManager.token = "..."                             # or $JUPYTERS3_TOKEN

`url` is jupyters3's base URL (its --base-url included); the token is one
jupyters3 accepts (its JUPYTERS3_TOKEN, or a JupyterHub token with access
to the user's server when jupyters3 runs with --auth jupyterhub).
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

from tornado import web
from traitlets import Float, Unicode, default

try:  # notebook 6
    from notebook.services.contents.manager import ContentsManager
except ImportError:  # nbclassic on jupyter_server
    from jupyter_server.services.contents.manager import ContentsManager

__all__ = ["JupyterS3ContentsManager"]

READ_ONLY = (
    "this notebook server only reads through jupyters3; writes go to "
    "jupyters3's /api/contents, which the proxy should route there"
)


class JupyterS3ContentsManager(ContentsManager):
    """Answers get, dir_exists, file_exists and is_hidden from jupyters3."""

    url = Unicode(help="jupyters3's base URL, such as http://127.0.0.1:8888/user/alice/").tag(config=True)
    token = Unicode(help="a token jupyters3 accepts").tag(config=True)
    timeout = Float(10.0, help="seconds to wait for jupyters3").tag(config=True)

    @default("url")
    def _default_url(self):
        return os.environ.get("JUPYTERS3_URL", "")

    @default("token")
    def _default_token(self):
        return os.environ.get("JUPYTERS3_TOKEN", "")

    def _model(self, path, content=True, type=None, format=None):
        if not self.url:
            raise web.HTTPError(500, "JupyterS3ContentsManager.url (or $JUPYTERS3_URL) is not set")
        query = {"content": "1" if content else "0"}
        if type:
            query["type"] = type
        if format:
            query["format"] = format
        path = path.strip("/")
        target = (
            self.url.rstrip("/")
            + "/api/contents/"
            + urllib.parse.quote(path)
            + "?"
            + urllib.parse.urlencode(query)
        )
        req = urllib.request.Request(target, headers={"Accept": "application/json"})
        if self.token:
            req.add_header("Authorization", "token " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            # jupyters3's own status and message, so that a 404 stays a 404
            # and a 403 (a wrong token) is not mistaken for a missing file.
            try:
                msg = json.load(e).get("message", e.reason)
            except ValueError:
                msg = e.reason
            raise web.HTTPError(e.code, "jupyters3: %s: %s" % (path or "/", msg))
        except (urllib.error.URLError, OSError) as e:
            raise web.HTTPError(502, "jupyters3 at %s: %s" % (self.url, e))

    def get(self, path, content=True, type=None, format=None):
        model = self._model(path, content=content, type=type, format=format)
        if content and model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            # Server-side users (nbconvert's export handler) expect a
            # NotebookNode, as the default manager returns.
            try:
                import nbformat

                model["content"] = nbformat.from_dict(model["content"])
            except ImportError:
                pass
        return model

    def _type(self, path):
        try:
            return self._model(path, content=False).get("type")
        except web.HTTPError as e:
            if e.status_code == 404:
                return None
            raise

    def dir_exists(self, path):
        return self._type(path) == "directory"

    def file_exists(self, path=""):
        return self._type(path) in ("file", "notebook")

    def exists(self, path):
        return self._type(path) is not None

    def is_hidden(self, path):
        # jupyters3 itself refuses hidden names unless --allow-hidden; the
        # classic pages only ask so as to hide them.
        return any(part.startswith(".") for part in path.strip("/").split("/") if part)

    def save(self, model, path=""):
        raise web.HTTPError(405, READ_ONLY)

    def delete_file(self, path):
        raise web.HTTPError(405, READ_ONLY)

    def rename_file(self, old_path, new_path):
        raise web.HTTPError(405, READ_ONLY)
