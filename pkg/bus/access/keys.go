package access

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// Key is a role's NKey: its public key, and the file holding its seed (the
// secret a service passes as --nats-nkey / NATS_NKEY).
type Key struct {
	Public   string
	SeedFile string
}

// LocalKeys returns an NKey for every role, read from dir/<role>.nk, or
// made and written there (readable by the owner only) when missing: the
// keys of "make run", which stay valid across restarts.
func LocalKeys(dir string) (map[Role]Key, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("nats keys: %w", err)
	}
	keys := make(map[Role]Key, len(Roles()))
	for _, r := range Roles() {
		path := filepath.Join(dir, string(r)+".nk")
		seed, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			kp, err := nkeys.CreateUser()
			if err != nil {
				return nil, fmt.Errorf("nats key of %s: %w", r, err)
			}
			if seed, err = kp.Seed(); err != nil {
				return nil, fmt.Errorf("nats key of %s: %w", r, err)
			}
			if err := os.WriteFile(path, append(seed, '\n'), 0o600); err != nil {
				return nil, fmt.Errorf("nats key of %s: %w", r, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("nats key of %s: %w", r, err)
		}
		kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(string(seed))))
		if err != nil {
			return nil, fmt.Errorf("nats key of %s in %s: %w (delete the file to have a new one made)", r, path, err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("nats key of %s: %w", r, err)
		}
		keys[r] = Key{Public: pub, SeedFile: path}
	}
	return keys, nil
}

// ServerNKeys returns the NKey users of an embedded server for keys, each
// with its role's permissions, and the user a connection without
// credentials is (Client's public key): for the server's Nkeys and
// NoAuthUser options.
func ServerNKeys(keys map[Role]Key) (users []*server.NkeyUser, noAuthUser string) {
	for _, r := range Roles() {
		k, ok := keys[r]
		if !ok {
			continue
		}
		users = append(users, &server.NkeyUser{Nkey: k.Public, Permissions: For(r).Server()})
	}
	return users, keys[Client].Public
}
