// Pairs of regulations cited together in the same notices, most frequent first. Counted
// at build time (CO_CITED), for pairs at least two notices cite: min_documents below 2
// finds nothing more. Two organizations' internal rules of one title are two regulations.
//
// @param min_documents int = 2  how many shared notices a pair needs
// @param limit int = 1000  how many pairs, most frequent first (100 000 generated notices give 817 000)
// @example
// first                          | second              | documents
// 关于新形势下党内政治生活的若干准则 | 中国共产党党组工作条例 | 2
MATCH (a:Regulation)-[c:CO_CITED]->(b:Regulation)
WHERE c.documents >= $min_documents
RETURN a.title AS first, b.title AS second, c.documents AS documents
ORDER BY documents DESC, first, second
LIMIT $limit
