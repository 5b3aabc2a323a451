-- The expert index set for bench/db_shop.py, written by hand from the templates alone,
-- before opskit was run on the workload (a DBA's choice: 17 indexes, partial where a
-- skewed filter allows, sort keys with their direction, text_pattern_ops, one GIN).
CREATE INDEX expert_orders_customer_created ON orders (customer_id, created_at DESC);
CREATE INDEX expert_orders_pending ON orders (created_at) WHERE status = 'pending';
CREATE INDEX expert_orders_unshipped ON orders (created_at) WHERE shipped_at IS NULL;
CREATE INDEX expert_orders_created ON orders (created_at);
CREATE INDEX expert_orders_shipped ON orders (shipped_at);
CREATE INDEX expert_order_items_order ON order_items (order_id);
CREATE INDEX expert_order_items_product ON order_items (product_id);
CREATE INDEX expert_payments_order ON payments (order_id);
CREATE INDEX expert_payments_paid ON payments (paid_at);
CREATE INDEX expert_customers_lower_email ON customers (lower(email));
CREATE INDEX expert_customers_email ON customers (email);
CREATE INDEX expert_customers_external_ref ON customers ("ExternalRef");
CREATE INDEX expert_events_customer_created ON events (customer_id, created_at DESC);
CREATE INDEX expert_events_payload ON events USING gin (payload jsonb_path_ops);
CREATE INDEX expert_products_live_category_price ON products (category_id, price) WHERE deleted_at IS NULL;
CREATE INDEX expert_products_sku ON products (sku text_pattern_ops);
CREATE INDEX expert_reviews_product_created ON reviews (product_id, created_at DESC);
