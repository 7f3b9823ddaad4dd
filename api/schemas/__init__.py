"""Request and response bodies: msgspec Structs, checked at the edge (unknown fields
refused, lengths, enums, time-zone-aware datetimes), one module per resource."""
