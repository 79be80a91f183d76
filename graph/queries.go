package graph

// ServicePageQuery is the full service page a portal shows for one service
// in one place (Gewerbe anmelden in Eschwege is about 7 KB): texts, fees,
// processing time, the responsible offices with address, hours, channels
// and contacts, and the online services. `leistungsfinder bench` measures
// it against plain net/http, and the Go benchmarks profile it.
const ServicePageQuery = `query Local($leika: String!, $ars: String!) {
  localService(leikaKey: $leika, ars: $ars) {
    name
    localization { language isFallback }
    texts { code label text { text language isFallback } }
    fees { kind formatted description { text } }
    processingTime { duration { formatted } }
    responsibleOffices {
      name inherited inheritedFrom { name level }
      address { street postalCode city }
      openingHours
      channels { kind value }
      contacts { name }
    }
    onlineServices { title links { url } }
  }
}`

// PlaceLookupQuery is the short lookup of a service for a place: the
// office's name and address, the region and the service's name (bench's
// localService target).
const PlaceLookupQuery = `query Lookup($leika: String!, $ars: String!) {
  localService(leikaKey: $leika, ars: $ars) {
    name
    region { name }
    responsibleOffices { name address { street postalCode city } }
  }
}`
