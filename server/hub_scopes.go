package server

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Scope prefixes of the authorisation rule (see [HubAuth]).
const (
	scopeAccessServers = "access:servers"
	scopeGroupFilter   = "access:servers!group="
)

// authorize grants id access to owner's server or returns why not: a 403
// for a refusal (a refused group look-up included), the Hub's trouble as is.
func (a *HubAuth) authorize(ctx context.Context, id *hubIdentity, owner string, ownOAuth bool) error {
	ok, err := a.scopesGrant(ctx, id.Scopes, owner)
	if err != nil {
		if errors.Is(err, errLookupRefused) {
			a.cfg.Logger.Warn("group look-up refused: denying", "owner", owner, "user", id.Name, "error", err.Error())
			return forbidden("access denied", err)
		}
		if isHubTrouble(err) {
			a.cfg.Logger.Warn("group look-up failed: denying", "owner", owner, "user", id.Name, "error", err.Error())
		}
		return err
	}
	if ok || (ownOAuth && a.fallbackGrants(ctx, id, owner)) {
		return nil
	}
	return forbidden("access denied", fmt.Errorf("%s %q has no access to the server of %q", id.Kind, id.Name, owner))
}

// scopesGrant applies the scope rule. The owner's groups are fetched only
// when a group filter is all that could grant access.
func (a *HubAuth) scopesGrant(ctx context.Context, scopes []string, owner string) (bool, error) {
	server := owner + "/" + a.cfg.ServerName
	var groups []string
	for _, s := range scopes {
		switch {
		case s == scopeAccessServers,
			s == scopeAccessServers+"!user="+owner,
			s == scopeAccessServers+"!server="+server,
			a.extraScopes[s]:
			return true, nil
		}
		if g, ok := strings.CutPrefix(s, scopeGroupFilter); ok && g != "" {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return false, nil
	}
	ownerGroups, err := a.ownerGroups(ctx, owner)
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		if slices.Contains(ownerGroups, g) {
			return true, nil
		}
	}
	return false, nil
}

// fallbackGrants is the JupyterHub 3.0 rule for tokens from our own OAuth
// login, which that version issues without any access:servers scope.
func (a *HubAuth) fallbackGrants(ctx context.Context, id *hubIdentity, owner string) bool {
	v, err := a.hubVersion(ctx)
	if err != nil || hubVersionAtLeast(v, 3, 1) {
		return false
	}
	return id.Kind != "service" && (id.Name == owner || id.Admin && !a.cfg.NoAdminFallback)
}

// ownerGroups returns owner's groups from the cache or one shared Hub call
// made with our own token. Failures are not cached.
func (a *HubAuth) ownerGroups(ctx context.Context, owner string) ([]string, error) {
	if g, ok := a.groups.get(owner, a.cfg.Now()); ok {
		return g, nil
	}
	v, err := a.shared(ctx, "groups:"+owner, func(ctx context.Context) (any, error) {
		g, err := a.hub.userGroups(ctx, owner)
		if err == nil {
			a.groups.put(owner, g, a.cfg.Now().Add(a.cfg.TokenTTL))
		}
		return g, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]string), nil
}
