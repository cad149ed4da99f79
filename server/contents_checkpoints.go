package server

import (
	"net/http"

	"github.com/jupyters3/jupyters3/contents"
)

// serveCheckpoints answers the checkpoint routes (spec 9.3): list (GET) and
// create (POST) on .../checkpoints, restore (POST) and delete (DELETE) on
// .../checkpoints/{id}.
func (c *Contents) serveCheckpoints(w http.ResponseWriter, r *http.Request, rt Route) error {
	ctx := r.Context()
	switch {
	case rt.Kind == RouteCheckpoints && r.Method == http.MethodGet:
		cps, err := c.svc.ListCheckpoints(ctx, rt.Path)
		if err != nil {
			return err
		}
		if cps == nil {
			cps = []contents.Checkpoint{} // [] rather than null
		}
		writeJSON(w, http.StatusOK, cps)
		return nil
	case rt.Kind == RouteCheckpoints && r.Method == http.MethodPost:
		cp, err := c.svc.CreateCheckpoint(ctx, rt.Path)
		if err != nil {
			return err
		}
		w.Header().Set("Location", checkpointLocation(rt.BaseURL, rt.Path, cp.ID))
		writeJSON(w, http.StatusCreated, cp)
		return nil
	case rt.Kind == RouteCheckpoint && r.Method == http.MethodPost:
		if err := c.svc.RestoreCheckpoint(ctx, rt.Path, rt.CheckpointID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	case rt.Kind == RouteCheckpoint && r.Method == http.MethodDelete:
		if err := c.svc.DeleteCheckpoint(ctx, rt.Path, rt.CheckpointID); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return methodNotAllowed(r.Method, allowedMethods[rt.Kind])
}

// checkpointLocation is the URL of one checkpoint. The root has no
// checkpoints, but the URL of its list is still well formed.
func checkpointLocation(base, apiPath, id string) string {
	return contentsLocation(base, apiPath) + "/checkpoints/" + id
}

// serveTrust answers POST .../trust (spec 8.4) with 201 and no body once
// the service has checked that the notebook exists.
func (c *Contents) serveTrust(w http.ResponseWriter, r *http.Request, rt Route) error {
	if err := c.svc.Trust(r.Context(), rt.Path); err != nil {
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}
