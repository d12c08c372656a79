package protocol

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The Session Manager data channel's messages, as both ends frame them
// (protocol/session-manager.md §4), and the JSON payloads of the
// handshake (§5), acks and channel_closed. The sandbox's data channel
// (internal/sessions) and its tests' client share them.

const (
	// headerLength is the offset of PayloadLength: always 116.
	headerLength   = 116
	messageTypeLen = 32
)

// Message types (§4.5).
const (
	MsgInputStreamData  = "input_stream_data"
	MsgOutputStreamData = "output_stream_data"
	MsgAcknowledge      = "acknowledge"
	MsgChannelClosed    = "channel_closed"
)

// Payload types (§4.6).
const (
	PayloadOutput            uint32 = 1
	PayloadSize              uint32 = 3
	PayloadHandshakeRequest  uint32 = 5
	PayloadHandshakeResponse uint32 = 6
	PayloadHandshakeComplete uint32 = 7
	PayloadFlag              uint32 = 10
	PayloadStdErr            uint32 = 11
	PayloadExitCode          uint32 = 12
)

// AgentMessage is one framed message (ClientMessage / AgentMessage).
type AgentMessage struct {
	MessageType    string
	SchemaVersion  uint32
	CreatedDate    uint64 // epoch milliseconds
	SequenceNumber int64
	Flags          uint64
	MessageID      [16]byte // canonical UUID bytes
	PayloadType    uint32
	Payload        []byte
}

// NewUUID is a random (version 4) UUID, as message IDs are.
func NewUUID() [16]byte {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic("sandbox: no randomness: " + err.Error())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// UUIDString is a UUID in its canonical text form.
func UUIDString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// Marshal frames the message: big-endian fields, the type padded with
// spaces, the UUID's halves swapped, a SHA-256 digest of the payload.
func (m *AgentMessage) Marshal() []byte {
	b := make([]byte, headerLength+4+len(m.Payload))
	binary.BigEndian.PutUint32(b[0:4], headerLength)
	copy(b[4:36], bytes.Repeat([]byte{' '}, messageTypeLen))
	copy(b[4:36], m.MessageType)
	binary.BigEndian.PutUint32(b[36:40], m.SchemaVersion)
	binary.BigEndian.PutUint64(b[40:48], m.CreatedDate)
	binary.BigEndian.PutUint64(b[48:56], uint64(m.SequenceNumber))
	binary.BigEndian.PutUint64(b[56:64], m.Flags)
	copy(b[64:72], m.MessageID[8:16])
	copy(b[72:80], m.MessageID[0:8])
	sum := sha256.Sum256(m.Payload)
	copy(b[80:112], sum[:])
	binary.BigEndian.PutUint32(b[112:116], m.PayloadType)
	binary.BigEndian.PutUint32(b[116:120], uint32(len(m.Payload)))
	copy(b[120:], m.Payload)
	return b
}

// ErrDigest reports a payload whose digest does not match; the message is
// still usable (the agent does not check digests).
var ErrDigest = errors.New("payload digest mismatch")

// UnmarshalMessage decodes a frame. The payload is everything after the
// PayloadLength field, as both real ends read it.
func UnmarshalMessage(b []byte) (*AgentMessage, error) {
	if len(b) < headerLength+4 {
		return nil, fmt.Errorf("message of %d bytes is shorter than its header", len(b))
	}
	hl := binary.BigEndian.Uint32(b[0:4])
	if hl == 0 || int(hl)+4 > len(b) {
		return nil, fmt.Errorf("header length %d is invalid", hl)
	}
	m := &AgentMessage{
		MessageType:    strings.TrimSpace(strings.Trim(string(b[4:36]), "\x00")),
		SchemaVersion:  binary.BigEndian.Uint32(b[36:40]),
		CreatedDate:    binary.BigEndian.Uint64(b[40:48]),
		SequenceNumber: int64(binary.BigEndian.Uint64(b[48:56])),
		Flags:          binary.BigEndian.Uint64(b[56:64]),
		PayloadType:    binary.BigEndian.Uint32(b[112:116]),
	}
	copy(m.MessageID[8:16], b[64:72])
	copy(m.MessageID[0:8], b[72:80])
	m.Payload = append([]byte(nil), b[hl+4:]...)
	if m.MessageType == "" || m.CreatedDate == 0 {
		return nil, errors.New("message has no type or creation date")
	}
	sum := sha256.Sum256(m.Payload)
	if !bytes.Equal(sum[:], b[80:112]) {
		return m, ErrDigest
	}
	return m, nil
}

// AckPayload is an acknowledge message's JSON.
type AckPayload struct {
	AcknowledgedMessageType           string `json:"AcknowledgedMessageType"`
	AcknowledgedMessageId             string `json:"AcknowledgedMessageId"`
	AcknowledgedMessageSequenceNumber int64  `json:"AcknowledgedMessageSequenceNumber"`
	IsSequentialMessage               bool   `json:"IsSequentialMessage"`
}

// ChannelClosedPayload is a channel_closed message's JSON.
type ChannelClosedPayload struct {
	MessageId     string `json:"MessageId"`
	CreatedDate   string `json:"CreatedDate"`
	DestinationId string `json:"DestinationId"`
	SessionId     string `json:"SessionId"`
	MessageType   string `json:"MessageType"`
	SchemaVersion int    `json:"SchemaVersion"`
	Output        string `json:"Output"`
}

// OpenDataChannelInput is the client's first (text) frame.
type OpenDataChannelInput struct {
	MessageSchemaVersion string `json:"MessageSchemaVersion"`
	RequestId            string `json:"RequestId"`
	TokenValue           string `json:"TokenValue"`
	ClientId             string `json:"ClientId"`
	ClientVersion        string `json:"ClientVersion"`
}

// Control builds an unsequenced message (acks, channel_closed): seq 0,
// flags 3, payload type 0.
func Control(typ string, payload []byte, now time.Time) []byte {
	m := &AgentMessage{MessageType: typ, SchemaVersion: 1, CreatedDate: uint64(now.UnixMilli()), Flags: 3, MessageID: NewUUID(), Payload: payload}
	return m.Marshal()
}

// HandshakeRequest is the agent's HandshakeRequest payload.
type HandshakeRequest struct {
	AgentVersion           string                  `json:"AgentVersion"`
	RequestedClientActions []RequestedClientAction `json:"RequestedClientActions"`
}

// RequestedClientAction is one action a HandshakeRequest asks for.
type RequestedClientAction struct {
	ActionType       string `json:"ActionType"`
	ActionParameters any    `json:"ActionParameters"`
}

// SessionTypeRequest is the SessionType action's parameters.
type SessionTypeRequest struct {
	SessionType string `json:"SessionType"`
	Properties  any    `json:"Properties"`
}

// HandshakeResponse is the client's HandshakeResponse payload.
type HandshakeResponse struct {
	ClientVersion          string `json:"ClientVersion"`
	ProcessedClientActions []struct {
		ActionType   string `json:"ActionType"`
		ActionStatus int    `json:"ActionStatus"`
		Error        string `json:"Error"`
	} `json:"ProcessedClientActions"`
	Errors []string `json:"Errors"`
}

// HandshakeComplete is the agent's HandshakeComplete payload.
type HandshakeComplete struct {
	HandshakeTimeToComplete time.Duration `json:"HandshakeTimeToComplete"`
	CustomerMessage         string        `json:"CustomerMessage"`
}
