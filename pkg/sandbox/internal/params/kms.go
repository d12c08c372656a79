package params

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssmctl/ssmctl/internal/lazyre"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/area"
	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// A stand-in for KMS, as far as Parameter Store needs one: SecureString
// values are sealed with AES-256-GCM under a per-sandbox key. The key
// material lives in the state (so a --state restart can still decrypt),
// never in a response. See docs/sandbox-parameters.md.

// KMSKey declares a customer managed key the sandbox's Parameter Store
// accepts as a KeyId, besides the AWS managed key alias/aws/ssm.
type KMSKey struct {
	// ID is the key ID, a UUID as KMS issues them
	// ("1234abcd-12ab-34cd-56ef-1234567890ab").
	ID string `yaml:"id" json:"id"`
	// Alias is the key's alias, "alias/NAME"; optional.
	Alias string `yaml:"alias,omitempty" json:"alias,omitempty"`
}

// DefaultKMSKey is the customer managed key a sandbox has when no keys are
// declared: AWS's documentation example key ID with the alias
// alias/sandbox.
var DefaultKMSKey = KMSKey{ID: "1234abcd-12ab-34cd-56ef-1234567890ab", Alias: "alias/sandbox"}

// ssmManagedAlias is the AWS managed key Parameter Store uses when a
// SecureString is put without a KeyId.
const ssmManagedAlias = "alias/aws/ssm"

var (
	kmsKeyIDPattern = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// KMS AliasName: alias/ followed by 1..250 of [a-zA-Z0-9/_-]; the
	// alias/aws/ prefix is reserved for AWS managed keys.
	kmsAliasPattern = lazyre.New(`^alias/[a-zA-Z0-9/_-]{1,250}$`)
)

// kmsKey is a key in the state: its material is base64 in the state file.
type kmsKey struct {
	ID       string `json:"id"`
	Alias    string `json:"alias,omitempty"`
	Managed  bool   `json:"managed,omitempty"` // the AWS managed alias/aws/ssm key
	Material []byte `json:"material"`
}

func (k KMSKey) validate() error {
	if !kmsKeyIDPattern.MatchString(k.ID) {
		return fmt.Errorf("KMS key ID %q is not a key ID such as %s", k.ID, DefaultKMSKey.ID)
	}
	if k.Alias != "" {
		if !kmsAliasPattern.MatchString(k.Alias) {
			return fmt.Errorf("KMS key alias %q is not alias/NAME (letters, digits, /, _ and -)", k.Alias)
		}
		if strings.HasPrefix(strings.ToLower(k.Alias), "alias/aws/") {
			return fmt.Errorf("KMS key alias %q: the alias/aws/ prefix is reserved for AWS managed keys", k.Alias)
		}
	}
	return nil
}

func ValidateKMSKeys(keys []KMSKey) error {
	ids, aliases := map[string]bool{}, map[string]bool{}
	for _, k := range keys {
		if err := k.validate(); err != nil {
			return err
		}
		if ids[k.ID] {
			return fmt.Errorf("KMS key ID %s is declared twice", k.ID)
		}
		ids[k.ID] = true
		if k.Alias != "" {
			if aliases[k.Alias] {
				return fmt.Errorf("KMS key alias %s is declared twice", k.Alias)
			}
			aliases[k.Alias] = true
		}
	}
	return nil
}

func newKeyMaterial() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: no randomness: " + err.Error())
	}
	return b
}

func newKeyID() string {
	b := newKeyMaterial()[:16]
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newKMSKeys builds the keys of a fresh state: the AWS managed key and the
// declared customer keys (DefaultKMSKey when none are declared).
func newKMSKeys(declared []KMSKey) []*kmsKey {
	if len(declared) == 0 {
		declared = []KMSKey{DefaultKMSKey}
	}
	keys := []*kmsKey{{ID: newKeyID(), Alias: ssmManagedAlias, Managed: true, Material: newKeyMaterial()}}
	for _, k := range declared {
		keys = append(keys, &kmsKey{ID: k.ID, Alias: k.Alias, Material: newKeyMaterial()})
	}
	return keys
}

func (a *Area) kmsARN(resource string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", area.Partition(a.h.Region), a.h.Region, a.h.AccountID, resource)
}

// kmsNotFound is the error Parameter Store passes on from KMS for a key it
// cannot find: InvalidKeyId carrying KMS's NotFoundException text, as AWS
// answers it.
func kmsNotFound(detail string) *protocol.APIError {
	return protocol.Errorf(http.StatusBadRequest, "InvalidKeyId", "%s (Service: AWSKMS; Status Code: 400; Error Code: NotFoundException; Request ID: %s; Proxy: null)", detail, protocol.NewRequestID())
}

// resolveKey finds the key a KeyId names: a key ID, a key ARN, an alias
// name or an alias ARN, as Parameter Store accepts them.
func (a *Area) resolveKey(st *state, keyID string) (*kmsKey, *protocol.APIError) {
	aliasARNPrefix := a.kmsARN("alias/")
	keyARNPrefix := a.kmsARN("key/")
	switch {
	case strings.HasPrefix(keyID, "alias/"), strings.HasPrefix(keyID, aliasARNPrefix):
		alias := "alias/" + strings.TrimPrefix(strings.TrimPrefix(keyID, aliasARNPrefix), "alias/")
		for _, k := range st.KMSKeys {
			if k.Alias == alias {
				return k, nil
			}
		}
		return nil, kmsNotFound(fmt.Sprintf("Alias %s is not found.", a.kmsARN(alias)))
	case strings.HasPrefix(keyID, keyARNPrefix), kmsKeyIDPattern.MatchString(keyID):
		id := strings.TrimPrefix(keyID, keyARNPrefix)
		for _, k := range st.KMSKeys {
			if k.ID == id {
				return k, nil
			}
		}
		return nil, kmsNotFound(fmt.Sprintf("Key '%s' does not exist", a.kmsARN("key/"+id)))
	}
	// Neither an ID nor an ARN of this account and region (KMS keys are
	// regional): KMS refuses the identifier itself.
	return nil, protocol.Errorf(http.StatusBadRequest, "InvalidKeyId", "Invalid keyId %s", keyID)
}

// Ciphertext blobs: a version byte, the key ID, the GCM nonce and the
// sealed value. The parameter's ARN is the additional data, as KMS binds
// a Parameter Store ciphertext to its PARAMETER_ARN encryption context.
const blobVersion = 1

func sealValue(k *kmsKey, arn, plaintext string) (string, error) {
	block, err := aes.NewCipher(k.Material)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	blob := append([]byte{blobVersion, byte(len(k.ID))}, k.ID...)
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	blob = append(blob, nonce...)
	blob = gcm.Seal(blob, nonce, []byte(plaintext), []byte(arn))
	return base64.StdEncoding.EncodeToString(blob), nil
}

func openValue(st *state, arn, ciphertext string) (string, error) {
	blob, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil || len(blob) < 2 || blob[0] != blobVersion || len(blob) < 2+int(blob[1]) {
		return "", errors.New("ciphertext is not a sandbox blob")
	}
	id := string(blob[2 : 2+int(blob[1])])
	rest := blob[2+int(blob[1]):]
	var key *kmsKey
	for _, k := range st.KMSKeys {
		if k.ID == id {
			key = k
		}
	}
	if key == nil {
		return "", fmt.Errorf("ciphertext key %s is gone", id)
	}
	block, err := aes.NewCipher(key.Material)
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	if len(rest) < gcm.NonceSize() {
		return "", errors.New("ciphertext is truncated")
	}
	plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], []byte(arn))
	if err != nil {
		return "", err
	}
	return string(plain), nil
}
