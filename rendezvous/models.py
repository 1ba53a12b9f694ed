"""Tenant schema: services, places, agendas, slots, appointments."""
