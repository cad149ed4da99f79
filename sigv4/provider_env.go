package sigv4

import (
	"context"
	"errors"
	"os"
)

// EnvProvider reads keys from the environment:
//
//   - AWS_ACCESS_KEY_ID (or the older AWS_ACCESS_KEY);
//   - AWS_SECRET_ACCESS_KEY (or the older AWS_SECRET_KEY);
//   - AWS_SESSION_TOKEN, optional.
//
// Setting only one of the pair is an error rather than "not configured":
// it is always a mistake, and the next provider would hide it.
type EnvProvider struct {
	// Getenv reads a variable; nil means [os.Getenv]. Tests pass a map's
	// lookup so they need not touch the process environment.
	Getenv func(string) string
}

// Retrieve reads the variables on every call; it is cheap, and the chain
// does not cache it.
func (p *EnvProvider) Retrieve(context.Context) (Credentials, error) {
	getenv := envFunc(p.Getenv)
	id := firstEnv(getenv, "AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY")
	secret := firstEnv(getenv, "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY")
	switch {
	case id == "" && secret == "":
		return Credentials{}, notConfigured("env", "AWS_ACCESS_KEY_ID not set")
	case secret == "":
		return Credentials{}, errors.New("env: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
	case id == "":
		return Credentials{}, errors.New("env: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
	}
	return Credentials{
		AccessKeyID:     id,
		SecretAccessKey: secret,
		SessionToken:    getenv("AWS_SESSION_TOKEN"),
		Source:          "env",
	}, nil
}

// envFunc returns getenv, or os.Getenv if it is nil.
func envFunc(getenv func(string) string) func(string) string {
	if getenv == nil {
		return os.Getenv
	}
	return getenv
}

// firstEnv returns the value of the first of names that is set and not
// empty.
func firstEnv(getenv func(string) string, names ...string) string {
	for _, name := range names {
		if v := getenv(name); v != "" {
			return v
		}
	}
	return ""
}
