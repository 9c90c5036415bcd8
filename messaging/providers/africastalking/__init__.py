"""Africa's Talking: the USSD gateway adapter, its callback view and its URLs."""
