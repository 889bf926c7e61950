-- bench/tpch/schema.sql: a TPC-H-like database in schema tpch, generated in SQL alone.
--
--   psql -v scale=0.5 -f bench/tpch/schema.sql        (scale defaults to 1)
--
-- Row counts as TPC-H's at scale factor :scale: region 5, nation 25, supplier 10,000 x scale,
-- customer 150,000 x scale, part 200,000 x scale, partsupp 4 per part, orders 1,500,000 x scale and
-- 1 to 7 lineitems per order (about 6,000,000 x scale). Column names and types are the
-- specification's; the value distributions follow dbgen's (dates 1992-01-01 .. 1998-08-02 for orders,
-- "current date" 1995-06-17 for returnflag/linestatus/orderstatus, the spec's lists of segments,
-- priorities, types, containers, brands, ship modes and instructions, the 92 colours of p_name, the
-- four suppliers of each part, order keys in dbgen's sparse pattern (8 used of every 32), no orders for
-- the customers whose key is a multiple of 3), so that the 22 queries of bench/tpch/queries.sql
-- have TPC-H's selectivities. The text columns are made of words, not dbgen's grammar.
--
-- Deterministic: every value is a hash (hashint8extended) of the row's key and a per-column stream
-- number, so two loads at the same scale give the same rows whatever the plan or the order of
-- execution. Primary keys only (created after loading); no foreign keys, no other indexes.
\set ON_ERROR_STOP on
\if :{?scale}
\else
\set scale 1
\endif

SET client_min_messages = warning;
SET synchronous_commit = off;
SET work_mem = '256MB';
SET maintenance_work_mem = '512MB';
SET max_parallel_maintenance_workers = 2;
SET jit = off;

SELECT greatest(round(10000 * :scale), 4)::int       AS n_supp,
       greatest(round(150000 * :scale), 3)::int      AS n_cust,
       greatest(round(200000 * :scale), 1)::int      AS n_part,
       greatest(round(1500000 * :scale), 1)::int     AS n_ord,
       greatest(round(1000 * :scale), 1)::int        AS n_clerk
\gset

DROP SCHEMA IF EXISTS tpch CASCADE;
CREATE SCHEMA tpch;

-- Helpers, in this session's temporary schema only (gone when psql ends). Each is one SQL expression
-- the planner inlines (so: immutable bodies only, no concat_ws, which is stable).

-- A non-negative pseudo-random bigint for key k in stream s.
CREATE FUNCTION pg_temp.h(k bigint, s int) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT hashint8extended(k, s) & 9223372036854775807 $$;

-- A pseudo-random integer in lo..hi.
CREATE FUNCTION pg_temp.r(k bigint, s int, lo bigint, hi bigint) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lo + (hashint8extended(k, s) & 9223372036854775807) % (hi - lo + 1) $$;

-- A pseudo-random element of a.
CREATE FUNCTION pg_temp.pick(k bigint, s int, a text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT a[1 + ((hashint8extended(k, s) & 9223372036854775807) % cardinality(a))::int] $$;

-- A pseudo-random word of the comments' vocabulary (dbgen's nouns, verbs, adjectives, adverbs).
CREATE FUNCTION pg_temp.word(k bigint, s int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_temp.pick(k, s, '{foxes,ideas,theodolites,"pinto beans",instructions,dependencies,
    excuses,platelets,asymptotes,courts,dolphins,multipliers,warthogs,frets,dinos,packages,requests,
    accounts,deposits,pearls,sheaves,gifts,sleep,wake,are,cajole,haggle,nag,use,boost,affix,detect,
    integrate,maintain,nod,print,serve,furious,sly,careful,blithe,quick,fluffy,regular,final,ironic,
    even,bold,silent,express,special,pending,unusual,furiously,slyly,carefully,blithely,quickly,
    fluffily,about,above,across,after,against,along,among,around,beneath,beyond,during}'::text[]) $$;

-- Comment text: words cut to a length in lo..hi (cut anywhere, as dbgen's are); 12 words (about 90
-- characters) or, when hi > 80, 24.
CREATE FUNCTION pg_temp.words12(k bigint, s int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_temp.word(k, s) || ' ' || pg_temp.word(k, s + 1) || ' ' || pg_temp.word(k, s + 2) || ' '
    || pg_temp.word(k, s + 3) || ' ' || pg_temp.word(k, s + 4) || ' ' || pg_temp.word(k, s + 5) || ' '
    || pg_temp.word(k, s + 6) || ' ' || pg_temp.word(k, s + 7) || ' ' || pg_temp.word(k, s + 8) || ' '
    || pg_temp.word(k, s + 9) || ' ' || pg_temp.word(k, s + 10) || ' ' || pg_temp.word(k, s + 11) $$;
CREATE FUNCTION pg_temp.txt(k bigint, s int, lo int, hi int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT left(CASE WHEN hi > 80 THEN pg_temp.words12(k, s) || ' ' || pg_temp.words12(k, s + 12)
                         ELSE pg_temp.words12(k, s) END,
                    pg_temp.r(k, s + 24, lo, hi)::int) $$;

-- An address: letters and digits, 10 to 40 characters.
CREATE FUNCTION pg_temp.addr(k bigint, s int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT left(translate(md5(k::text || '/' || s::text) || md5(s::text || '/' || k::text), 'abcdef', 'AxGmQz'),
    pg_temp.r(k, s, 10, 40)::int) $$;

-- A phone number of nation nk: country code nk + 10, then 3, 3 and 4 digits.
CREATE FUNCTION pg_temp.phone(nk int, k bigint, s int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (nk + 10)::text || '-' || pg_temp.r(k, s, 100, 999)::text || '-'
    || pg_temp.r(k, s + 1, 100, 999)::text || '-' || pg_temp.r(k, s + 2, 1000, 9999)::text $$;

-- dbgen's retail price of part pk.
CREATE FUNCTION pg_temp.retail(pk bigint) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((90000 + (pk / 10) % 20001 + 100 * (pk % 1000)) / 100.0)::numeric(15,2) $$;

-- The i-th (0..3) supplier of part pk among ns suppliers (dbgen's formula).
CREATE FUNCTION pg_temp.psupp(pk bigint, i int, ns int) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((pk + i * (ns / 4 + (pk - 1) / ns)) % ns + 1)::int $$;

-- Line ln of order ok is keyed ok * 8 + ln. Its part, supplier index, quantity, discount, tax and
-- ship date offset; orders and lineitem both use these, so o_totalprice and o_orderstatus agree with
-- the order's lines.
CREATE FUNCTION pg_temp.nlines(ok bigint) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (1 + pg_temp.h(ok, 0) % 7)::int $$;
CREATE FUNCTION pg_temp.l_part(lk bigint, np int) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_temp.r(lk, 1, 1, np) $$;
CREATE FUNCTION pg_temp.l_qty(lk bigint) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_temp.r(lk, 3, 1, 50)::int $$;
CREATE FUNCTION pg_temp.l_disc(lk bigint) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_temp.r(lk, 4, 0, 10) / 100.0 $$;
CREATE FUNCTION pg_temp.l_tax(lk bigint) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_temp.r(lk, 5, 0, 8) / 100.0 $$;
CREATE FUNCTION pg_temp.l_ship(lk bigint) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_temp.r(lk, 6, 1, 121)::int $$;
CREATE FUNCTION pg_temp.o_date(ok bigint) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT date '1992-01-01' + pg_temp.r(ok, 2, 0, 2405)::int $$;

CREATE TABLE tpch.region (
  r_regionkey  integer NOT NULL,
  r_name       char(25) NOT NULL,
  r_comment    varchar(152)
);

CREATE TABLE tpch.nation (
  n_nationkey  integer NOT NULL,
  n_name       char(25) NOT NULL,
  n_regionkey  integer NOT NULL,
  n_comment    varchar(152)
);

CREATE TABLE tpch.supplier (
  s_suppkey    integer NOT NULL,
  s_name       char(25) NOT NULL,
  s_address    varchar(40) NOT NULL,
  s_nationkey  integer NOT NULL,
  s_phone      char(15) NOT NULL,
  s_acctbal    numeric(15,2) NOT NULL,
  s_comment    varchar(101) NOT NULL
);

CREATE TABLE tpch.customer (
  c_custkey    integer NOT NULL,
  c_name       varchar(25) NOT NULL,
  c_address    varchar(40) NOT NULL,
  c_nationkey  integer NOT NULL,
  c_phone      char(15) NOT NULL,
  c_acctbal    numeric(15,2) NOT NULL,
  c_mktsegment char(10) NOT NULL,
  c_comment    varchar(117) NOT NULL
);

CREATE TABLE tpch.part (
  p_partkey     integer NOT NULL,
  p_name        varchar(55) NOT NULL,
  p_mfgr        char(25) NOT NULL,
  p_brand       char(10) NOT NULL,
  p_type        varchar(25) NOT NULL,
  p_size        integer NOT NULL,
  p_container   char(10) NOT NULL,
  p_retailprice numeric(15,2) NOT NULL,
  p_comment     varchar(23) NOT NULL
);

CREATE TABLE tpch.partsupp (
  ps_partkey    integer NOT NULL,
  ps_suppkey    integer NOT NULL,
  ps_availqty   integer NOT NULL,
  ps_supplycost numeric(15,2) NOT NULL,
  ps_comment    varchar(199) NOT NULL
);

CREATE TABLE tpch.orders (
  o_orderkey      bigint NOT NULL,
  o_custkey       integer NOT NULL,
  o_orderstatus   char(1) NOT NULL,
  o_totalprice    numeric(15,2) NOT NULL,
  o_orderdate     date NOT NULL,
  o_orderpriority char(15) NOT NULL,
  o_clerk         char(15) NOT NULL,
  o_shippriority  integer NOT NULL,
  o_comment       varchar(79) NOT NULL
);

CREATE TABLE tpch.lineitem (
  l_orderkey      bigint NOT NULL,
  l_partkey       integer NOT NULL,
  l_suppkey       integer NOT NULL,
  l_linenumber    integer NOT NULL,
  l_quantity      numeric(15,2) NOT NULL,
  l_extendedprice numeric(15,2) NOT NULL,
  l_discount      numeric(15,2) NOT NULL,
  l_tax           numeric(15,2) NOT NULL,
  l_returnflag    char(1) NOT NULL,
  l_linestatus    char(1) NOT NULL,
  l_shipdate      date NOT NULL,
  l_commitdate    date NOT NULL,
  l_receiptdate   date NOT NULL,
  l_shipinstruct  char(25) NOT NULL,
  l_shipmode      char(10) NOT NULL,
  l_comment       varchar(44) NOT NULL
);

INSERT INTO tpch.region
SELECT k, name, pg_temp.txt(k, 1, 31, 115)
FROM unnest('{AFRICA,AMERICA,ASIA,EUROPE,"MIDDLE EAST"}'::text[]) WITH ORDINALITY AS t(name, o),
     LATERAL (SELECT o - 1 AS k) x;

INSERT INTO tpch.nation
SELECT k, name, region, pg_temp.txt(k, 100, 31, 114)
FROM (VALUES
  (0, 'ALGERIA', 0), (1, 'ARGENTINA', 1), (2, 'BRAZIL', 1), (3, 'CANADA', 1), (4, 'EGYPT', 4),
  (5, 'ETHIOPIA', 0), (6, 'FRANCE', 3), (7, 'GERMANY', 3), (8, 'INDIA', 2), (9, 'INDONESIA', 2),
  (10, 'IRAN', 4), (11, 'IRAQ', 4), (12, 'JAPAN', 2), (13, 'JORDAN', 4), (14, 'KENYA', 0),
  (15, 'MOROCCO', 0), (16, 'MOZAMBIQUE', 0), (17, 'PERU', 1), (18, 'CHINA', 2), (19, 'ROMANIA', 3),
  (20, 'SAUDI ARABIA', 4), (21, 'VIETNAM', 2), (22, 'RUSSIA', 3), (23, 'UNITED KINGDOM', 3),
  (24, 'UNITED STATES', 1)) AS t(k, name, region);

-- About 1 supplier in 2,000 has "Customer ... Complaints" in its comment and as many "Customer ...
-- Recommends" (dbgen: 5 each per 10,000), for Q16.
INSERT INTO tpch.supplier
SELECT k, 'Supplier#' || lpad(k::text, 9, '0'), pg_temp.addr(k, 1), nk, pg_temp.phone(nk, k, 3),
       pg_temp.r(k, 6, -99999, 999999) / 100.0,
       CASE k % 2000
         WHEN 17 THEN left(pg_temp.txt(k, 10, 10, 30) || ' Customer ' || pg_temp.word(k, 60) || ' Complaints '
                           || pg_temp.txt(k, 70, 10, 40), 101)
         WHEN 1017 THEN left(pg_temp.txt(k, 10, 10, 30) || ' Customer ' || pg_temp.word(k, 60) || ' Recommends '
                           || pg_temp.txt(k, 70, 10, 40), 101)
         ELSE pg_temp.txt(k, 10, 25, 100)
       END
FROM generate_series(1, :n_supp) AS k,
     LATERAL (SELECT pg_temp.r(k, 2, 0, 24)::int AS nk) x;

INSERT INTO tpch.customer
SELECT k, 'Customer#' || lpad(k::text, 9, '0'), pg_temp.addr(k, 1), nk, pg_temp.phone(nk, k, 3),
       pg_temp.r(k, 6, -99999, 999999) / 100.0,
       pg_temp.pick(k, 7, '{AUTOMOBILE,BUILDING,FURNITURE,HOUSEHOLD,MACHINERY}'),
       pg_temp.txt(k, 10, 29, 116)
FROM generate_series(1, :n_cust) AS k,
     LATERAL (SELECT pg_temp.r(k, 2, 0, 24)::int AS nk) x;

INSERT INTO tpch.part
SELECT k,
       concat_ws(' ', pg_temp.pick(k, 1, c), pg_temp.pick(k, 2, c), pg_temp.pick(k, 3, c),
                 pg_temp.pick(k, 4, c), pg_temp.pick(k, 5, c)),
       'Manufacturer#' || m, 'Brand#' || m || pg_temp.r(k, 7, 1, 5),
       pg_temp.pick(k, 8, '{STANDARD,SMALL,MEDIUM,LARGE,ECONOMY,PROMO}') || ' '
         || pg_temp.pick(k, 9, '{ANODIZED,BURNISHED,PLATED,POLISHED,BRUSHED}') || ' '
         || pg_temp.pick(k, 10, '{TIN,NICKEL,BRASS,STEEL,COPPER}'),
       pg_temp.r(k, 11, 1, 50),
       pg_temp.pick(k, 12, '{SM,LG,MED,JUMBO,WRAP}') || ' '
         || pg_temp.pick(k, 13, '{CASE,BOX,BAG,JAR,PKG,PACK,CAN,DRUM}'),
       pg_temp.retail(k),
       pg_temp.txt(k, 20, 5, 22)
FROM generate_series(1, :n_part) AS k,
     LATERAL (SELECT pg_temp.r(k, 6, 1, 5) AS m) x,
     (SELECT '{almond,antique,aquamarine,azure,beige,bisque,black,blanched,blue,blush,brown,burlywood,
       burnished,chartreuse,chiffon,chocolate,coral,cornflower,cornsilk,cream,cyan,dark,deep,dim,dodger,
       drab,firebrick,floral,forest,frosted,gainsboro,ghost,goldenrod,green,grey,honeydew,hot,indian,
       ivory,khaki,lace,lavender,lawn,lemon,light,lime,linen,magenta,maroon,medium,metallic,midnight,
       mint,misty,moccasin,navajo,navy,olive,orange,orchid,pale,papaya,peach,peru,pink,plum,powder,
       puff,purple,red,rose,rosy,royal,saddle,salmon,sandy,seashell,sienna,sky,slate,smoke,snow,spring,
       steel,tan,thistle,tomato,turquoise,violet,wheat,white,yellow}'::text[] AS c) colours;

INSERT INTO tpch.partsupp
SELECT pk, pg_temp.psupp(pk, i, :n_supp), pg_temp.r(pk * 4 + i, 1, 1, 9999),
       pg_temp.r(pk * 4 + i, 2, 100, 100000) / 100.0,
       pg_temp.txt(pk * 4 + i, 10, 49, 198)
FROM generate_series(1, :n_part) AS pk, generate_series(0, 3) AS i;

-- Orders: keys in dbgen's pattern (the first 8 of every 32); customers whose key is a multiple of 3
-- never order (j -> 3j/2 + 1 maps 0, 1, 2, 3, ... onto 1, 2, 4, 5, ...). o_totalprice and
-- o_orderstatus come from the order's lines, computed with the same functions as lineitem below.
INSERT INTO tpch.orders
SELECT ok,
       (3 * pg_temp.r(ok, 1, 0, :n_cust - :n_cust / 3 - 1)) / 2 + 1,
       CASE WHEN li.n_open = 0 THEN 'F' WHEN li.n_open = li.n THEN 'O' ELSE 'P' END,
       li.total,
       od,
       pg_temp.pick(ok, 3, '{1-URGENT,2-HIGH,3-MEDIUM,"4-NOT SPECIFIED",5-LOW}'),
       'Clerk#' || lpad(pg_temp.r(ok, 4, 1, :n_clerk)::text, 9, '0'),
       0,
       pg_temp.txt(ok, 10, 19, 78)
FROM generate_series(0, (:n_ord - 1) / 8) AS b, generate_series(1, 8) AS j,
     LATERAL (SELECT b::bigint * 32 + j AS ok) k,
     LATERAL (SELECT pg_temp.o_date(ok) AS od) d,
     LATERAL (
       SELECT round(sum(pg_temp.l_qty(lk) * pg_temp.retail(pg_temp.l_part(lk, :n_part))
                        * (1 + pg_temp.l_tax(lk)) * (1 - pg_temp.l_disc(lk))), 2) AS total,
              count(*) FILTER (WHERE od + pg_temp.l_ship(lk) > date '1995-06-17') AS n_open,
              count(*) AS n
       FROM generate_series(1, pg_temp.nlines(ok)) AS ln, LATERAL (SELECT ok * 8 + ln AS lk) x
     ) li
WHERE b * 8 + j <= :n_ord;

-- Lineitem, in one pass over orders: 1 to 7 lines per order. Ship date 1..121 days after the order,
-- commit date 30..90 days after it, receipt 1..30 days after shipping; returnflag R or A when received
-- by 1995-06-17, else N; linestatus O when shipped after 1995-06-17, else F.
INSERT INTO tpch.lineitem
SELECT o_orderkey, pk, pg_temp.psupp(pk, pg_temp.r(lk, 2, 0, 3)::int, :n_supp), ln,
       pg_temp.l_qty(lk), pg_temp.l_qty(lk) * pg_temp.retail(pk),
       pg_temp.l_disc(lk), pg_temp.l_tax(lk),
       CASE WHEN rd <= date '1995-06-17' THEN CASE WHEN pg_temp.h(lk, 9) % 2 = 0 THEN 'R' ELSE 'A' END
            ELSE 'N' END,
       CASE WHEN sd > date '1995-06-17' THEN 'O' ELSE 'F' END,
       sd, o_orderdate + pg_temp.r(lk, 7, 30, 90)::int, rd,
       pg_temp.pick(lk, 10, '{"DELIVER IN PERSON","COLLECT COD",NONE,"TAKE BACK RETURN"}'),
       pg_temp.pick(lk, 11, '{"REG AIR",AIR,RAIL,SHIP,TRUCK,MAIL,FOB}'),
       pg_temp.txt(lk, 20, 10, 43)
FROM tpch.orders,
     generate_series(1, 1 + pg_temp.h(o_orderkey, 0) % 7) AS ln,   -- = pg_temp.nlines(o_orderkey)
     LATERAL (SELECT o_orderkey * 8 + ln AS lk) k,
     LATERAL (SELECT pg_temp.l_part(lk, :n_part) AS pk,
                     o_orderdate + pg_temp.l_ship(lk) AS sd) p,
     LATERAL (SELECT sd + pg_temp.r(lk, 8, 1, 30)::int AS rd) r;

ALTER TABLE tpch.region   ADD PRIMARY KEY (r_regionkey);
ALTER TABLE tpch.nation   ADD PRIMARY KEY (n_nationkey);
ALTER TABLE tpch.supplier ADD PRIMARY KEY (s_suppkey);
ALTER TABLE tpch.customer ADD PRIMARY KEY (c_custkey);
ALTER TABLE tpch.part     ADD PRIMARY KEY (p_partkey);
ALTER TABLE tpch.partsupp ADD PRIMARY KEY (ps_partkey, ps_suppkey);
ALTER TABLE tpch.orders   ADD PRIMARY KEY (o_orderkey);
ALTER TABLE tpch.lineitem ADD PRIMARY KEY (l_orderkey, l_linenumber);

ANALYZE tpch.region;
ANALYZE tpch.nation;
ANALYZE tpch.supplier;
ANALYZE tpch.customer;
ANALYZE tpch.part;
ANALYZE tpch.partsupp;
ANALYZE tpch.orders;
ANALYZE tpch.lineitem;
