// A minimal XML well-formedness check for the renderers' tests (testonly):
// every start tag is closed in order, attribute values are quoted, and text
// holds no raw '<' or unescaped '&'. Not a validator; enough to catch a
// renderer that forgets to escape or to close an element.
#ifndef BENCHFLEET_ANALYSIS_XML_CHECK_H_
#define BENCHFLEET_ANALYSIS_XML_CHECK_H_

#include <string>

namespace benchfleet::analysis {

// "" when `xml` is well formed in the sense above, else what is wrong.
// HTML void elements (meta, br, ...) and <!DOCTYPE> are accepted when
// `html` is true.
std::string XmlProblems(const std::string& xml, bool html = false);

}  // namespace benchfleet::analysis

#endif  // BENCHFLEET_ANALYSIS_XML_CHECK_H_
