# jupyterhub_config.py snippet: keep each user server's contents API and
# files routed to jupyters3.
#
# The Hub deletes proxy routes tagged "jupyterhub" that it did not make and,
# after a configurable-http-proxy restart, restores only its own. This proxy
# class adds our two untagged routes whenever the Hub adds a user server's
# route (at spawn, and again when it repairs the proxy table), and removes
# them with it. Set the URL where the proxy reaches jupyters3:
#
#     c.JupyterS3Proxy.jupyters3_url = "http://jupyters3.<namespace>:8888"
#
# Paths follow the proxy's rules: a leading "/", no trailing "/"; the longest
# matching prefix wins, so ".../api/contents/x" reaches jupyters3 while
# ".../api/kernels" still reaches the user's server.
from jupyterhub.proxy import ConfigurableHTTPProxy
from tornado.httpclient import HTTPError
from traitlets import Unicode


class JupyterS3Proxy(ConfigurableHTTPProxy):
    jupyters3_url = Unicode("http://127.0.0.1:8888", config=True,
                            help="jupyters3's URL as the proxy reaches it")

    def jupyters3_paths(self, user, server_name):
        spec = user.spawners[server_name].proxy_spec  # "/user/alice/"
        return [spec + "api/contents", spec + "files"]

    async def add_user(self, user, server_name="", client=None):
        await super().add_user(user, server_name, client)
        for path in self.jupyters3_paths(user, server_name):
            # add_route would tag the route "jupyterhub"; the raw request
            # leaves it untagged, so the Hub's route check keeps it.
            await self.api_request(path, method="POST", body={"target": self.jupyters3_url}, client=client)

    async def delete_user(self, user, server_name=""):
        for path in self.jupyters3_paths(user, server_name):
            try:
                await self.api_request(path, method="DELETE")
            except HTTPError as e:
                if e.code != 404:
                    raise
        await super().delete_user(user, server_name)


c.JupyterHub.proxy_class = JupyterS3Proxy
