"""Mesa models of the place's residents and services (installed as ``twin.models``)."""
