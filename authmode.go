package main

import (
	"errors"

	"github.com/jupyters3/jupyters3/server"
)

// authModes are the values of --auth.
var authModes = []string{"token", "none", "jupyterhub"}

// authenticator builds the authenticator --auth asks for. It returns the
// token when it generated one, so that run can print the URL to open, as
// jupyter server does. New modes are one more case here.
func authenticator(cfg *config) (a server.Authenticator, generated string, err error) {
	switch cfg.auth {
	case "token":
		token := cfg.token
		if token == "" {
			if token, err = server.GenerateToken(); err != nil {
				return nil, "", err
			}
			generated = token
		}
		ta, err := server.NewTokenAuth(server.TokenAuthConfig{Token: token, XSRF: cfg.xsrf, UserName: cfg.user})
		return ta, generated, err
	case "none":
		if err := server.CheckNoAuthAddr(cfg.listen, cfg.noAuthForce); err != nil {
			return nil, "", &usageError{err}
		}
		return server.NoAuth{AnyHost: cfg.noAuthForce}, "", nil
	}
	// "jupyterhub" is set up by newHubWiring, which needs the Hub.
	return nil, "", errors.New("unknown authentication mode " + cfg.auth)
}
