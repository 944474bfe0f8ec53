-- Webhooks (issue #16/#17): the deliveries' foreign key to their subscription
-- goes. Each referral POST to a subscribed partner inserted a delivery, and
-- the key's check took a FOR KEY SHARE lock on the one subscription row from
-- every concurrent POST (a multixact per row, and contention on it). Its work
-- is done elsewhere: deleting a subscription deletes its deliveries in the
-- same statement (WEBHOOKS_SQL_DELETE), the workers claim only deliveries of
-- a live subscription, and `purge` deletes the events (with their deliveries)
-- whose deliveries are done or belong to no subscription (one written while
-- its subscription was being deleted).
ALTER TABLE webhook_deliveries DROP CONSTRAINT IF EXISTS webhook_deliveries_subscription_id_fkey;
