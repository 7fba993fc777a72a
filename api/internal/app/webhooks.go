package app

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/downlink/downlink/api/internal/webhooks"
)

// buildWebhooks creates the webhooks service, registers its workers and
// makes it the downloads service's Notifier, so every final transition
// writes its deliveries in its own transaction. It follows the settings'
// allow-private switch at every delivery and the network seam of tests.
func (a *App) buildWebhooks(workers *river.Workers) {
	a.Webhooks = webhooks.New(webhooks.Config{BaseURL: a.Cfg.BaseURL}, webhooks.Deps{
		DB: a.Store.DB, Keys: a.Keys, Resolver: a.netResolver(), Dialer: a.dialer,
		AllowPrivate: func(ctx context.Context) bool { return a.Settings.Global(ctx).AllowPrivateNetworks },
		Metrics:      a.Metrics, Logger: a.Log,
	})
	river.AddWorker(workers, &webhooks.DeliverWorker{S: a.Webhooks})
	river.AddWorker(workers, &webhooks.PruneWorker{S: a.Webhooks})
	a.Engine.Downloads.Notifier = a.Webhooks
}

// nodeQueues is every queue this node works besides maintenance: its
// download queues and the webhooks queue, which every node works whatever
// its download workers.
func (a *App) nodeQueues() map[string]int {
	qs := a.downloadQueues()
	qs[webhooks.QueueName] = webhooks.QueueWorkers
	return qs
}
