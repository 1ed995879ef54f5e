// Whether a stored text is a well-formed JSON document, before anything
// emits it (a damaged store must not make the API send invalid JSON).
#pragma once

#include <string>

namespace fabro::model {

// True when `text` is one complete JSON object (RFC 8259, UTF-8).
bool is_json_object(const std::string& text);

}  // namespace fabro::model
