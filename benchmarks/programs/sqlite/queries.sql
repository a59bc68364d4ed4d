-- The SQLite benchmark of `python -m benchmarks --section programs`: the shell reads
-- this on standard input with an in-memory database (sqlite3 :memory:).  Tables filled
-- by recursive queries, an index, joins, grouping, window functions, string and JSON
-- functions, sorting; every query prints a few rows or a checksum that the runner
-- compares with queries.expected.
.mode list
.headers off

CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT, city TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount INTEGER, day INTEGER, note TEXT);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO customer SELECT i, 'customer ' || i, 'city ' || (i * 7 % 23) FROM n;

-- A linear congruential generator in SQL, so that every engine inserts the same rows.
WITH RECURSIVE g(i, x) AS (
  SELECT 1, 12345
  UNION ALL
  SELECT i + 1, (x * 1103515245 + 12345) % 2147483648 FROM g WHERE i < 2500
)
INSERT INTO orders SELECT i, 1 + x % 200, x % 10007, x % 365, printf('order %d of %x', i, x) FROM g;

CREATE INDEX orders_by_customer ON orders(customer, day);

SELECT count(*), sum(amount), min(day), max(day) FROM orders;

SELECT c.city, count(*), sum(o.amount), round(avg(o.amount), 2)
FROM orders o JOIN customer c ON c.id = o.customer
GROUP BY c.city ORDER BY sum(o.amount) DESC LIMIT 5;

SELECT customer, day, amount, running FROM (
  SELECT customer, day, amount,
         sum(amount) OVER (PARTITION BY customer ORDER BY day, id) AS running,
         row_number() OVER (PARTITION BY customer ORDER BY day, id) AS k
  FROM orders
) WHERE customer IN (7, 100, 199) AND k <= 3 ORDER BY customer, day;

SELECT sum(length(note)), count(DISTINCT substr(note, -3)), max(upper(note))
FROM orders WHERE note LIKE '%a%';

SELECT json_group_array(json_object('id', id, 'amount', amount))
FROM (SELECT id, amount FROM orders ORDER BY amount DESC, id LIMIT 4);

SELECT name, total FROM (
  SELECT c.name, sum(o.amount) AS total, rank() OVER (ORDER BY sum(o.amount) DESC) AS r
  FROM customer c JOIN orders o ON o.customer = c.id GROUP BY c.id
) WHERE r <= 3;

UPDATE orders SET amount = amount / 2 WHERE day % 3 = 0;
DELETE FROM orders WHERE amount < 100;
SELECT count(*), sum(amount), total_changes() FROM orders;
