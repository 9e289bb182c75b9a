"""マイナサポートBot: the conversation core shared by the Rasa actions and the channels."""
