package app

import (
	"context"

	"github.com/downlink/downlink/api/internal/subscriptions"
	"github.com/downlink/downlink/api/internal/webhooks"
	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// newWebhooks creates the webhooks service, the downloads service's
// Notifier: every final transition writes its deliveries in its own
// transaction. It follows the settings' allow-private switch at every
// delivery and the network seam of tests.
func (a *App) newWebhooks() *webhooks.Service {
	return webhooks.New(webhooks.Config{BaseURL: a.Cfg.BaseURL}, webhooks.Deps{
		DB: a.Store.DB, Keys: a.Keys, Queue: a.Jobs, Resolver: a.netResolver(), Dialer: a.dialer,
		AllowPrivate: func(ctx context.Context) bool { return a.Settings.Global(ctx).AllowPrivateNetworks },
		Metrics:      a.Metrics, Logger: a.Log,
	})
}

// nodeQueues is every queue this node works besides maintenance: its
// download queues and the webhooks queue, which every node works whatever
// its download workers.
func (a *App) nodeQueues() map[string]int {
	qs := a.downloadQueues()
	if len(qs) > 0 {
		// Checks list sources with yt-dlp: on nodes that download, on
		// their own queue so they never hold a download back.
		qs[subscriptions.QueueName] = subscriptions.QueueWorkers
	}
	qs[webhooks.QueueName] = webhooks.QueueWorkers
	qs[managed.QueueName(a.Cfg.NodeName)] = managed.QueueWorkers // this node's yt-dlp updates
	return qs
}
