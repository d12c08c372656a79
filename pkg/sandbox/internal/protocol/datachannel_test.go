package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// TestMessageFraming checks the encoder against the protocol document's
// test vector (§4.3), produced with the plugin's own serializer.
func TestMessageFraming(t *testing.T) {
	t.Parallel()
	id, _ := hex.DecodeString("00112233445566778899aabbccddeeff")
	m := &AgentMessage{MessageType: MsgInputStreamData, SchemaVersion: 1, CreatedDate: 1700000000000, SequenceNumber: 5, PayloadType: 1, Payload: []byte("ls\r")}
	copy(m.MessageID[:], id)
	want, _ := hex.DecodeString("00000074696e7075745f73747265616d5f6461746120202020202020202020202020202000000001" +
		"0000018bcfe5680000000000000000050000000000000000" + "8899aabbccddeeff0011223344556677" +
		"1d887ce0f8672e4914d9000e801cd74ecd805dd9366c0bc42dc16adc0197dc2f" + "00000001000000036c730d")
	got := m.Marshal()
	if !bytes.Equal(got, want) {
		t.Fatalf("marshal:\ngot  %x\nwant %x", got, want)
	}
	back, err := UnmarshalMessage(got)
	if err != nil {
		t.Fatal(err)
	}
	if back.MessageType != MsgInputStreamData || back.SequenceNumber != 5 || back.MessageID != m.MessageID || string(back.Payload) != "ls\r" || back.PayloadType != 1 {
		t.Errorf("unmarshal: %+v", back)
	}
	if UUIDString(back.MessageID) != "00112233-4455-6677-8899-aabbccddeeff" {
		t.Errorf("uuid %s", UUIDString(back.MessageID))
	}
	got[len(got)-1] ^= 1
	if _, err := UnmarshalMessage(got); !errors.Is(err, ErrDigest) {
		t.Errorf("a corrupted payload: %v, want the digest error", err)
	}
}
