package output

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmespath/go-jmespath"
)

// marshalDocument encodes a view value as ssmctl's JSON document: indented
// two spaces, HTML characters kept as they are, ending in a newline. A nil
// top-level slice or map is an empty one, so a listing with no results is []
// and never null.
func marshalDocument(doc any) ([]byte, error) {
	if err := checkTimes(reflect.TypeOf(doc)); err != nil {
		return nil, err
	}
	if v := reflect.ValueOf(doc); v.IsValid() {
		switch v.Kind() {
		case reflect.Slice:
			if v.IsNil() && v.Type().Elem().Kind() != reflect.Uint8 {
				doc = []any{}
			}
		case reflect.Map:
			if v.IsNil() {
				doc = map[string]any{}
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode output: %w", err)
	}
	return buf.Bytes(), nil
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	checkedTypes  sync.Map // reflect.Type -> error (nil: no raw time)
)

// checkTimes refuses a view type that holds a time.Time anywhere (a field,
// an element, through pointers): its JSON would have a varying precision.
// Views use *Time. The answer is kept per type.
func checkTimes(t reflect.Type) error {
	if t == nil {
		return nil
	}
	if v, ok := checkedTypes.Load(t); ok {
		err, _ := v.(error)
		return err
	}
	var err error
	if path := rawTimePath(t, map[reflect.Type]bool{}); path != "" {
		err = fmt.Errorf("internal error: %s%s is a time.Time; view types use *output.Time", t, path)
	}
	checkedTypes.Store(t, err)
	return err
}

// rawTimePath is where in t a time.Time is, or "".
func rawTimePath(t reflect.Type, seen map[reflect.Type]bool) string {
	if t == timeType {
		return " "
	}
	if seen[t] || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return ""
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return rawTimePath(t.Elem(), seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() && !f.Anonymous {
				continue
			}
			if p := rawTimePath(f.Type, seen); p != "" {
				return "." + f.Name + strings.TrimSuffix(p, " ")
			}
		}
	}
	return ""
}

// applyQuery runs a compiled --query on a JSON document and returns the
// result as a JSON document.
func applyQuery(jp *jmespath.JMESPath, query string, doc []byte) ([]byte, error) {
	var generic any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("decode output for --query: %w", err)
	}
	result, err := jp.Search(numbersForQuery(generic))
	if err != nil {
		return nil, fmt.Errorf("--query %s: %s", strconv.Quote(query), oneLine(err.Error()))
	}
	return marshalDocument(result)
}

// numbersForQuery gives JMESPath float64 numbers, which are all it can compare
// or pass to functions, wherever float64 holds the number exactly: the JSON
// text of the float64 is the original text, so nothing changes when the result
// is encoded again. Other numbers (integers beyond 2^53) stay json.Number, so
// they print exactly, though JMESPath cannot compare them.
func numbersForQuery(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			v[k] = numbersForQuery(e)
		}
		return v
	case []any:
		for i, e := range v {
			v[i] = numbersForQuery(e)
		}
		return v
	case json.Number:
		f, err := v.Float64()
		if err != nil {
			return v
		}
		if b, err := json.Marshal(f); err == nil && string(b) == v.String() {
			return f
		}
		return v
	default:
		return v
	}
}

// member is one key and value of a JSON object, kept in document order.
type member struct {
	Key   string
	Value any
}

// object is a JSON object with its key order. Values in the ordered tree are
// object, []any, string, json.Number, bool or nil.
type object []member

// decodeOrdered reads a JSON document into the ordered tree.
func decodeOrdered(doc []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, fmt.Errorf("decode output: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode output: trailing data after the document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		switch tok {
		case '{':
			obj := object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key is %T", kt)
				}
				val, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, member{Key: key, Value: val})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				val, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, val)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", tok)
	default:
		return tok, nil // string, json.Number, bool or nil
	}
}

// scalarString is a tree value as one field: strings as they are, numbers in
// their JSON text, null empty, and objects and arrays as compact JSON.
func scalarString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	default:
		var buf bytes.Buffer
		writeCompact(&buf, v)
		return buf.String()
	}
}

// writeCompact writes a tree value as compact JSON in document order.
func writeCompact(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case object:
		buf.WriteByte('{')
		for i, m := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, m.Key)
			buf.WriteByte(':')
			writeCompact(buf, m.Value)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeCompact(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeJSONString(buf, v)
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case nil:
		buf.WriteString("null")
	}
}

func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode's newline
}
