// Every place a regulation is cited: document, quoted text, span and what was done.
// Short forms count: 《條例》 standing for 中国共产党纪律处分条例 is listed with via_alias.
//
// @param title string  the regulation's simplified title
// @example
// source   | organization     | raw                    | span_start | span_end | action  | via_alias
// 004_….txt | 天津市妇女联合会 | 《中國共產黨紀律處分條例》 | 2931       | 2944     | studied | null
MATCH (d:Document)-[c:CITES]->(r:Regulation)
WHERE r.title = $title
OPTIONAL MATCH (d)-[:ISSUED_BY]->(:PartyGroup)-[:GROUP_OF]->(o:Organization)
RETURN d.source AS source, o.name AS organization, c.raw AS raw, c.span_start AS span_start,
       c.span_end AS span_end, c.action AS action, c.via_alias AS via_alias
ORDER BY source, span_start
