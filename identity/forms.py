from django import forms


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="Nouvelle adresse électronique")


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="J'ai compris : mon compte sera supprimé ; mes démarches déjà déposées restent "
        "auprès des communes, sans lien avec un compte.",
        required=True,
    )
