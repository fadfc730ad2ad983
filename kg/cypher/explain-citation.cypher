// Why a document cites a regulation: each citation edge with the rule that made it and
// its provenance (document, span, quoted text).
//
// @param title string  the regulation's simplified title
// @example
// source    | raw                | rule                  | provenance
// 000_….txt | 《中国共产党党组工作条例》 | citations.title_marks | [{"doc": "cf53…", "quote": "《中国共产党党组工作条例》", "rule": "citations.title_marks", "span": [4931, 4944]}]
MATCH (d:Document)-[c:CITES]->(r:Regulation)
WHERE r.title = $title
RETURN d.source AS source, c.raw AS raw, c.rule AS rule, c.provenance AS provenance
ORDER BY source, c.span_start
