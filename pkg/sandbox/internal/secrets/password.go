package secrets

import (
	"crypto/rand"
	"math/big"
	"strconv"
	"strings"

	"github.com/ssmctl/ssmctl/pkg/sandbox/internal/protocol"
)

// GetRandomPassword.

const (
	lowers      = "abcdefghijklmnopqrstuvwxyz"
	uppers      = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// charsetFor is the character classes a password draws from, each
// without the excluded characters; empty classes are left out.
func charsetFor(noLower, noUpper, noDigits, noPunct, space bool, exclude string) []string {
	var classes []string
	add := func(skip bool, chars string) {
		if skip {
			return
		}
		kept := strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, chars)
		if kept != "" {
			classes = append(classes, kept)
		}
	}
	add(noLower, lowers)
	add(noUpper, uppers)
	add(noDigits, digits)
	add(noPunct, punctuation)
	add(!space, " ")
	return classes
}

func pick(chars string) byte {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	return chars[n.Int64()]
}

// randomPassword draws length characters from the classes, with one of
// each class first when eachType (then shuffled).
func randomPassword(length int, classes []string, eachType bool) string {
	all := strings.Join(classes, "")
	b := make([]byte, 0, length)
	if eachType {
		for _, c := range classes {
			if len(b) < length {
				b = append(b, pick(c))
			}
		}
	}
	for len(b) < length {
		b = append(b, pick(all))
	}
	for i := len(b) - 1; i > 0; i-- {
		j, _ := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		b[i], b[j.Int64()] = b[j.Int64()], b[i]
	}
	return string(b)
}

func (a *Area) getRandomPassword(in *getRandomPasswordInput) (*getRandomPasswordOutput, error) {
	var v protocol.Validator
	length := int64(32)
	if in.PasswordLength != nil {
		length = *in.PasswordLength
		if length < 1 {
			v.Add(protocol.QuoteValue(strconv.FormatInt(length, 10)), "passwordLength", "Member must have value greater than or equal to 1")
		}
		if length > 4096 {
			v.Add(protocol.QuoteValue(strconv.FormatInt(length, 10)), "passwordLength", "Member must have value less than or equal to 4096")
		}
	}
	if in.ExcludeCharacters != nil {
		v.Length("excludeCharacters", *in.ExcludeCharacters, 0, 4096)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	b := func(p *bool) bool { return p != nil && *p }
	classes := charsetFor(b(in.ExcludeLowercase), b(in.ExcludeUppercase), b(in.ExcludeNumbers), b(in.ExcludePunctuation), b(in.IncludeSpace), protocol.Deref(in.ExcludeCharacters))
	if len(classes) == 0 {
		return nil, errInvalidParameter("The password can't be generated: every character type is excluded.")
	}
	each := in.RequireEachIncludedType == nil || *in.RequireEachIncludedType
	if each && int(length) < len(classes) {
		return nil, errInvalidParameter("The password length is too short to include every required character type.")
	}
	return &getRandomPasswordOutput{RandomPassword: randomPassword(int(length), classes, each)}, nil
}
