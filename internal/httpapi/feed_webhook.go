package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"

	"github.com/truce-monitor/truce"
	"github.com/truce-monitor/truce/internal/feed"
	"github.com/truce-monitor/truce/internal/store"
	"github.com/truce-monitor/truce/internal/webhook"
)

// webhookRequest is the body of POST /api/v1/webhooks.
type webhookRequest struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret,omitempty"` // 16-200 bytes; the server makes one when empty
	Kinds  []string `json:"kinds,omitempty"`  // event kinds (see GET /stream); empty for all
}

// webhookCreated is a new webhook with its secret, shown this once.
type webhookCreated struct {
	store.Webhook
	Secret string `json:"secret"`
}

// webhooksJSON and deliveriesJSON are pages of the lists.
type webhooksJSON struct {
	Webhooks   []store.Webhook `json:"webhooks"`
	NextCursor string          `json:"next_cursor"`
}

type deliveriesJSON struct {
	Deliveries []store.Delivery `json:"deliveries"`
	NextCursor string           `json:"next_cursor"`
}

// handleCreateWebhook registers a webhook that receives the events logged
// from now on.
func (s *Server) handleCreateWebhook(w http.ResponseWriter, r *http.Request) {
	var req webhookRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	kinds, err := feed.ParseKinds("kinds", req.Kinds)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Secret == "" {
		var b [32]byte
		rand.Read(b[:])
		req.Secret = hex.EncodeToString(b[:])
	}
	if err := webhook.CheckURL(r.Context(), req.URL, s.webhookAllowPrivate); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := store.Webhook{URL: req.URL, Secret: req.Secret, Kinds: kinds, CreatedBy: caller(r.Context()).Name}
	if err := s.db.CreateWebhook(r.Context(), &h); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.logger.InfoContext(r.Context(), "webhook created", "webhook", h.ID, "by", h.CreatedBy)
	s.writeJSON(w, r, http.StatusCreated, webhookCreated{Webhook: h, Secret: h.Secret})
}

// handleWebhooks lists the webhooks, without their secrets.
func (s *Server) handleWebhooks(w http.ResponseWriter, r *http.Request) {
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hooks, err := s.db.Webhooks(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next := pageOf(hooks, p, func(h store.Webhook) string { return idKey(h.ID) })
	s.writeJSON(w, r, http.StatusOK, webhooksJSON{Webhooks: nonNil(items), NextCursor: next})
}

// handleWebhook returns one webhook, without its secret.
func (s *Server) handleWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := webhookPathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h, err := s.db.Webhook(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, r, http.StatusOK, h)
}

// handleDeleteWebhook deactivates a webhook; its delivery record stays.
func (s *Server) handleDeleteWebhook(w http.ResponseWriter, r *http.Request) {
	id, err := webhookPathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.db.DeactivateWebhook(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeliveries lists a webhook's delivery attempts, oldest first.
func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := webhookPathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := parsePage(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, err := p.afterID()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.db.Deliveries(r.Context(), id, after, p.Limit+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next := trimPage(ds, p, func(d store.Delivery) string { return idKey(d.ID) })
	s.writeJSON(w, r, http.StatusOK, deliveriesJSON{Deliveries: nonNil(items), NextCursor: next})
}

func webhookPathID(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, truce.Invalid("id", "%q is not a webhook id", v)
	}
	return id, nil
}
