"""USSD gateway adapters: one per gateway, all feeding the same menu engine."""

from reporting.ussd.gateways.africastalking import AfricasTalkingGateway
from reporting.ussd.gateways.base import Gateway, UssdRequest

GATEWAYS: dict[str, Gateway] = {AfricasTalkingGateway.name: AfricasTalkingGateway()}

__all__ = ["GATEWAYS", "Gateway", "UssdRequest"]
