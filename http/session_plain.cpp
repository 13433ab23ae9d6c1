// The plain-TCP instantiation of the HTTP session.
#include "http/session_impl.hpp"

namespace rosterd::http {

template class session<plain_stream>;

}  // namespace rosterd::http
